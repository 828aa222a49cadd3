"""Reads for correcting a record: the record as received, its versions, decrypted, audited."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404

from haven.accounts import permissions
from haven.accounts.models import User
from haven.audit.models import AuditAction
from haven.audit.services import audit_record
from haven.intake.models import PersonRecord

from .models import PersonLink, RecordVersion


@dataclass(frozen=True)
class RecordEditView:
    record: PersonRecord
    person_id: int | None
    versions: list[RecordVersion]
    # (kind, value as written) of the newest version, or as received.
    identifiers: list[tuple[str, str]]
    received_identifiers: list[tuple[str, str, str]]

    @property
    def current(self) -> RecordVersion | None:
        return self.versions[-1] if self.versions else None


def record_for_edit(*, user: User, record_id: int) -> RecordEditView:
    if not permissions.can_work_cases(user):
        raise PermissionDenied
    record = (
        PersonRecord.objects.select_related("request")
        .prefetch_related("identifiers")
        .filter(pk=record_id)
        .first()
    )
    if record is None:
        raise Http404
    versions = list(
        RecordVersion.objects.filter(record=record).select_related("created_by").order_by("number")
    )
    link = PersonLink.objects.filter(person_record=record, ended_at__isnull=True).first()
    received = [
        (i.get_kind_display(), i.value_as_written, i.kind) for i in record.identifiers.all()
    ]
    if versions:
        identifiers = [(i["kind"], i["as_written"]) for i in versions[-1].identifiers]
    else:
        identifiers = [(kind, value) for _label, value, kind in received]
    # Identifiers are shown decrypted: an audited read of personal data.
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        obj=record,
        summary=f"Record {record.pk} opened to correct it",
        details={"versions": len(versions)},
    )
    return RecordEditView(
        record=record,
        person_id=link.person_id if link else None,
        versions=versions,
        identifiers=identifiers,
        received_identifiers=received,
    )
