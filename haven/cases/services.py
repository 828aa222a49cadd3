"""Writes to cases. Views call these; nothing else changes a case."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from haven.accounts import permissions
from haven.accounts.models import User
from haven.audit.models import AuditAction
from haven.audit.services import audit_record

from .models import Case, CaseEvent, Note


@transaction.atomic
def note_create(*, case: Case, author: User, body: str) -> Note:
    if not permissions.can_work_cases(author):
        raise PermissionDenied
    note = Note.objects.create(case=case, author=author, body=body.strip())
    CaseEvent.objects.create(
        case=case, kind=CaseEvent.Kind.NOTE_ADDED, actor=author, description=body.strip()[:120]
    )
    audit_record(
        actor=author, action=AuditAction.CREATE, obj=note, summary=f"Note on {case.reference}"
    )
    return note


@transaction.atomic
def case_status_change(*, case: Case, actor: User, status: str) -> Case:
    if not permissions.can_work_cases(actor):
        raise PermissionDenied
    # Lock the row: two caseworkers changing status at once must not lose one change's history.
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if locked.status == status:
        return locked
    previous = locked.get_status_display()
    locked.status = status
    locked.save(update_fields=["status", "updated_at"])
    CaseEvent.objects.create(
        case=locked,
        kind=CaseEvent.Kind.STATUS_CHANGED,
        actor=actor,
        description=f"{previous} → {locked.get_status_display()}",
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        summary=f"Status of {locked.reference}",
        details={"status": status},
    )
    return locked
