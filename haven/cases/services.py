"""Writes to cases. Views call these; nothing else changes a case."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from haven.accounts import permissions
from haven.accounts.models import User
from haven.audit.models import AuditAction
from haven.audit.services import audit_record
from haven.intake.models import Request

from .models import Case, CaseEvent, CaseMember, CaseMerge, CaseRequest, Document, Note
from .public_status import public_status_sync


class CaseMergeRefused(ValidationError):
    """The two cases cannot be merged; the message says why, in plain words."""


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


def _status_text(case: Case) -> str:
    text = str(case.get_status_display())
    return f"{text} ({case.get_closure_outcome_display()})" if case.closure_outcome else text


@transaction.atomic
def case_status_change(*, case: Case, actor: User, status: str, outcome: str = "") -> Case:
    """Change a case's status; `outcome` (a Request.Outcome) says why, when closing.

    The public status of the case's requests follows in the same transaction.
    """
    if not permissions.can_work_cases(actor):
        raise PermissionDenied
    if outcome and outcome not in Request.Outcome.values:
        raise ValidationError(f"Unknown closure outcome {outcome!r}.")
    # Lock the row: two caseworkers changing status at once must not lose one change's history.
    locked = Case.objects.select_for_update().get(pk=case.pk)
    # An outcome belongs to a closed case only: reopening clears it, and closing a closed
    # case again without naming one keeps the one it has.
    new_outcome = outcome if status == Case.Status.CLOSED else ""
    if status == locked.status == Case.Status.CLOSED and not outcome:
        new_outcome = locked.closure_outcome
    if (locked.status, locked.closure_outcome) == (status, new_outcome):
        return locked
    before = _status_text(locked)
    locked.status, locked.closure_outcome = status, new_outcome
    locked.save(update_fields=["status", "closure_outcome", "updated_at"])
    CaseEvent.objects.create(
        case=locked,
        kind=CaseEvent.Kind.STATUS_CHANGED,
        actor=actor,
        description=f"{before} → {_status_text(locked)}",
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        summary=f"Status of {locked.reference}",
        details={"status": status, "outcome": locked.closure_outcome},
    )
    public_status_sync(case=locked, actor=actor)
    return locked


@transaction.atomic
def case_merge(*, source: Case, target: Case, actor: User, reason: str = "") -> CaseMerge:
    """Merge `source` into `target`: one household worked as two cases becomes one.

    The target gets every member it lacks and a link to every request of the source; the
    source's notes and documents move to it. The source is closed as "merged into" the
    target and keeps its own members, requests and history; CaseMerge records the id of
    everything added or moved, so the merge can be read back exactly. Nothing is deleted.
    """
    if not permissions.can_merge_cases(actor):
        raise PermissionDenied
    if source.pk == target.pk:
        raise CaseMergeRefused("A case cannot be merged into itself.")
    # Lock both cases, in id order so two merges of one pair cannot deadlock: two supervisors
    # merging A into B and B into A at once must not both succeed (each closed into the
    # other), nor may one merge move notes another has just moved.
    locked = {
        c.pk: c
        for c in Case.objects.select_for_update()
        .filter(pk__in=[source.pk, target.pk])
        .order_by("pk")
    }
    source, target = locked[source.pk], locked[target.pk]
    if source.merged_into_id is not None:
        into = Case(pk=source.merged_into_id).reference
        raise CaseMergeRefused(f"{source.reference} was already merged into {into}.")
    if target.merged_into_id is not None:
        into = Case(pk=target.merged_into_id).reference
        raise CaseMergeRefused(
            f"{target.reference} was itself merged into {into}: merge into {into} instead."
        )
    if target.status == Case.Status.CLOSED:
        raise CaseMergeRefused(
            f"{target.reference} is closed: reopen it first, or merge it into this case instead."
        )
    # The target's rows in any state: a person may be a case member only once.
    in_target = set(CaseMember.objects.filter(case=target).values_list("person_id", flat=True))
    members = CaseMember.objects.bulk_create(
        [
            CaseMember(case=target, person_id=m.person_id, relationship=m.relationship)
            for m in CaseMember.objects.filter(case=source, merged_into__isnull=True).order_by("id")
            if m.person_id not in in_target
        ]
    )
    linked = set(CaseRequest.objects.filter(case=target).values_list("request_id", flat=True))
    links = CaseRequest.objects.bulk_create(
        [
            CaseRequest(case=target, request_id=request_id)
            for request_id in CaseRequest.objects.filter(case=source)
            .order_by("id")
            .values_list("request_id", flat=True)
            if request_id not in linked
        ]
    )
    note_ids = list(Note.objects.filter(case=source).order_by("id").values_list("pk", flat=True))
    Note.objects.filter(pk__in=note_ids).update(case=target)
    document_ids = list(
        Document.objects.filter(case=source).order_by("id").values_list("pk", flat=True)
    )
    Document.objects.filter(pk__in=document_ids).update(case=target)
    previous = source.get_status_display()
    merge = CaseMerge.objects.create(
        source=source,
        target=target,
        reason=reason.strip()[:300],
        source_status=source.status,
        members_added=[m.pk for m in members],
        requests_linked=[link.pk for link in links],
        notes_moved=note_ids,
        documents_moved=document_ids,
        created_by=actor,
    )
    source.status, source.merged_into = Case.Status.CLOSED, target
    source.closure_outcome = Request.Outcome.DUPLICATE
    source.save(update_fields=["status", "merged_into", "closure_outcome", "updated_at"])
    why = f" Reason: {reason.strip()}" if reason.strip() else ""
    counts = (
        f"{len(members)} member(s) added, {len(links)} request(s) linked, "
        f"{len(note_ids)} note(s) and {len(document_ids)} document(s) moved."
    )
    CaseEvent.objects.bulk_create(
        [
            CaseEvent(
                case=source,
                kind=CaseEvent.Kind.MERGED_INTO,
                actor=actor,
                description=(
                    f"Merged into {target.reference} and closed (was {previous}): " + counts + why
                )[:500],
            ),
            CaseEvent(
                case=target,
                kind=CaseEvent.Kind.MERGED_FROM,
                actor=actor,
                description=(f"{source.reference} merged into this case: " + counts + why)[:500],
            ),
        ]
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=merge,
        summary=f"Merged case {source.reference} into {target.reference}",
        details={
            "source": source.pk,
            "target": target.pk,
            "source_status": merge.source_status,
            "members_added": merge.members_added,
            "requests_linked": merge.requests_linked,
            "notes_moved": note_ids,
            "documents_moved": document_ids,
            "reason": merge.reason,
        },
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=source,
        summary=f"Closed {source.reference}: merged into {target.reference}",
        details={"status": Case.Status.CLOSED, "merged_into": target.pk},
    )
    # The source's requests are the target's too now: they take the target's status.
    public_status_sync(case=target, actor=actor)
    return merge
