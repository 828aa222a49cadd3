"""Writes to cases. Views call these; nothing else changes a case."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.accounts import permissions
from haven.accounts.models import User
from haven.audit.models import AuditAction
from haven.audit.services import audit_record, audit_record_many
from haven.intake.models import Request

from .models import (
    Case,
    CaseEvent,
    CaseMember,
    CaseMemberChange,
    CaseMerge,
    CaseRequest,
    Document,
    Note,
)
from .public_status import public_status_sync, public_status_sync_many


class CaseMergeRefused(ValidationError):
    """The two cases cannot be merged; the message says why, in plain words."""


class CaseMergeUndoRefused(ValidationError):
    """The merge cannot be undone (things changed since); the message says what."""


def _merge_counts(merge: CaseMerge) -> dict[str, int]:
    return {
        "members": len(merge.members_added),
        "requests": len(merge.requests_linked),
        "notes": len(merge.notes_moved),
        "documents": len(merge.documents_moved),
    }


@transaction.atomic
def note_create(*, case: Case, author: User, body: str, restricted: bool = False) -> Note:
    if not permissions.can_work_cases(author):
        raise PermissionDenied
    note = Note.objects.create(case=case, author=author, body=body.strip(), restricted=restricted)
    if restricted:
        # The history is read by everyone who reads the case: a restricted note is not quoted.
        CaseEvent.objects.create(
            case=case,
            kind=CaseEvent.Kind.NOTE_ADDED,
            actor=author,
            description="Restricted note added",
            data={"message": "note_added_restricted"},
        )
    else:
        # The excerpt is the caseworker's own words: shown as written, in any language.
        CaseEvent.objects.create(
            case=case, kind=CaseEvent.Kind.NOTE_ADDED, actor=author, description=body.strip()[:120]
        )
    audit_record(
        actor=author,
        action=AuditAction.CREATE,
        obj=note,
        summary=f"Note on {case.reference}",
        details={"restricted": True} if restricted else None,
    )
    return note


def _status_text(case: Case) -> str:
    text = str(case.get_status_display())
    return f"{text} ({case.get_closure_outcome_display()})" if case.closure_outcome else text


# Cases changed per statement by cases_status_change_many: bounded IN-lists and batches.
STATUS_CHANGE_CHUNK = 1000
# What the status change and the public status read of each case (not the encrypted name).
_STATUS_FIELDS = ("id", "status", "closure_outcome", "pathway", "merged_into")


@transaction.atomic
def cases_status_change_many(*, case_ids: list[int], actor: User, status: str) -> int:
    """case_status_change for many cases at once (a bulk referral of thousands): the same
    rows, events, audit and public status, in a fixed number of statements per chunk of
    cases instead of several per case. Not for closing (a closure needs its outcome, one
    case at a time). Returns how many cases changed."""
    if not permissions.can_work_cases(actor):
        raise PermissionDenied
    if status == Case.Status.CLOSED:
        raise ValidationError("Close cases one at a time, with their outcome.")
    changed = 0
    # Every case goes to one status: its text, and each "before" text, worked out once.
    texts: dict[tuple[str, str], str] = {}

    def text(of: tuple[str, str]) -> str:
        if of not in texts:
            texts[of] = _status_text(Case(status=of[0], closure_outcome=of[1]))
        return texts[of]

    after = text((status, ""))
    for start in range(0, len(case_ids), STATUS_CHANGE_CHUNK):
        chunk = case_ids[start : start + STATUS_CHANGE_CHUNK]
        # Locked in id order, as case_status_change locks one: a caseworker changing one of
        # these cases meanwhile must not lose either change's history.
        # No key of the locked rows changes (no delete, no unique column): FOR NO KEY UPDATE
        # on PostgreSQL, which does not hold up inserts of rows referencing them.
        cases = [
            c
            for c in Case.objects.select_for_update(no_key=True)
            .filter(pk__in=chunk)
            .order_by("pk")
            .only(*_STATUS_FIELDS)
            if c.status != status
        ]
        if not cases:
            continue
        now = timezone.now()
        events: list[dict[str, Any]] = []
        entries: list[tuple[models.Model, str, dict[str, Any]]] = []
        for case in cases:
            previous = (case.status, case.closure_outcome)
            events.append(
                {
                    "case_id": case.pk,
                    "kind": CaseEvent.Kind.STATUS_CHANGED,
                    "actor_id": actor.pk,
                    "description": f"{text(previous)} → {after}",
                    "data": {
                        "message": "status_changed",
                        "from_status": previous[0],
                        "from_outcome": previous[1],
                        "to_status": status,
                        "to_outcome": "",
                    },
                }
            )
            entries.append((case, f"Status of {case.reference}", {"status": status, "outcome": ""}))
            case.status, case.closure_outcome, case.updated_at = status, "", now
        # One status for all: one UPDATE, not a CASE over every row as bulk_update writes.
        Case.objects.filter(pk__in=[c.pk for c in cases]).update(
            status=status, closure_outcome="", updated_at=now
        )
        # At most STATUS_CHANGE_CHUNK events: no batch_size.
        CaseEvent.objects.bulk_create([CaseEvent(**event) for event in events])
        audit_record_many(actor=actor, action=AuditAction.UPDATE, entries=entries)
        public_status_sync_many(cases=cases, actor=actor)
        changed += len(cases)
    return changed


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
    # No key of the locked rows changes (no delete, no unique column): FOR NO KEY UPDATE
    # on PostgreSQL, which does not hold up inserts of rows referencing them.
    locked = Case.objects.select_for_update(no_key=True).get(pk=case.pk)
    # An outcome belongs to a closed case only: reopening clears it, and closing a closed
    # case again without naming one keeps the one it has.
    new_outcome = outcome if status == Case.Status.CLOSED else ""
    if status == locked.status == Case.Status.CLOSED and not outcome:
        new_outcome = locked.closure_outcome
    if (locked.status, locked.closure_outcome) == (status, new_outcome):
        return locked
    before, previous = _status_text(locked), (locked.status, locked.closure_outcome)
    locked.status, locked.closure_outcome = status, new_outcome
    locked.save(update_fields=["status", "closure_outcome", "updated_at"])
    CaseEvent.objects.create(
        case=locked,
        kind=CaseEvent.Kind.STATUS_CHANGED,
        actor=actor,
        description=f"{before} → {_status_text(locked)}",
        data={
            "message": "status_changed",
            "from_status": previous[0],
            "from_outcome": previous[1],
            "to_status": status,
            "to_outcome": new_outcome,
        },
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
def case_merge(*, source: Case, target: Case, actor: User, reason: str) -> CaseMerge:
    """Merge `source` into `target`: one household worked as two cases becomes one.

    The target gets every member it lacks and a link to every request of the source; the
    source's notes and documents move to it. The source is closed as "merged into" the
    target and keeps its own members, requests and history; CaseMerge records the id of
    everything added or moved, so the merge can be read back exactly. Nothing is deleted.
    """
    if not permissions.can_merge_cases(actor):
        raise PermissionDenied
    if source.pk == target.pk:
        raise CaseMergeRefused(_("A case cannot be merged into itself."))
    if not reason.strip():
        raise CaseMergeRefused(_("Say why these two cases are one household."))
    # Lock both cases, in id order so two merges of one pair cannot deadlock: two supervisors
    # merging A into B and B into A at once must not both succeed (each closed into the
    # other), nor may one merge move notes another has just moved.
    # No key of the locked rows changes (no delete, no unique column): FOR NO KEY UPDATE
    # on PostgreSQL, which does not hold up inserts of rows referencing them.
    locked = {
        c.pk: c
        for c in Case.objects.select_for_update(no_key=True)
        .filter(pk__in=[source.pk, target.pk])
        .order_by("pk")
    }
    source, target = locked[source.pk], locked[target.pk]
    if source.merged_into_id is not None:
        into = Case(pk=source.merged_into_id).reference
        raise CaseMergeRefused(
            _("%(source)s was already merged into %(into)s.")
            % {"source": source.reference, "into": into}
        )
    if target.merged_into_id is not None:
        into = Case(pk=target.merged_into_id).reference
        raise CaseMergeRefused(
            _("%(target)s was itself merged into %(into)s: merge into %(into)s instead.")
            % {"target": target.reference, "into": into}
        )
    if target.status == Case.Status.CLOSED:
        raise CaseMergeRefused(
            _("%(target)s is closed: reopen it first, or merge it into this case instead.")
            % {"target": target.reference}
        )
    # The target's rows in any state: a person may be a case member only once.
    in_target = set(CaseMember.all_rows.filter(case=target).values_list("person_id", flat=True))
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
        source_outcome=source.closure_outcome,
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
    data = {
        "source": source.reference,
        "target": target.reference,
        "from_status": merge.source_status,
        "counts": _merge_counts(merge),
        "reason": merge.reason,
    }
    CaseEvent.objects.bulk_create(
        [
            CaseEvent(
                case=source,
                kind=CaseEvent.Kind.MERGED_INTO,
                actor=actor,
                description=(
                    f"Merged into {target.reference} and closed (was {previous}): " + counts + why
                )[:500],
                data={"message": "merged_into", **data},
            ),
            CaseEvent(
                case=target,
                kind=CaseEvent.Kind.MERGED_FROM,
                actor=actor,
                description=(f"{source.reference} merged into this case: " + counts + why)[:500],
                data={"message": "merged_from", **data},
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
            # The reason is free text: it stays in CaseMerge.reason, encrypted, not here.
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


def _undo_obstacles(merge: CaseMerge, source: Case, target: Case) -> list[str]:
    """What changed since the merge in a way undoing it cannot put right, in plain words."""
    if merge.undone_at is not None:
        return [_("This merge was already undone.")]
    problems = []
    if source.merged_into_id != target.pk or source.status != Case.Status.CLOSED:
        problems.append(
            _("%(source)s is no longer closed as merged into %(target)s.")
            % {"source": source.reference, "target": target.reference}
        )
    if target.merged_into_id is not None:
        problems.append(
            _("%(target)s was itself merged into %(into)s since: undo that merge first.")
            % {"target": target.reference, "into": Case(pk=target.merged_into_id).reference}
        )
    added = CaseMember.objects.filter(pk__in=merge.members_added)
    changed = (
        len(added) != len(merge.members_added)
        or added.exclude(case=target).exists()
        or added.filter(merged_into__isnull=False).exists()
        or CaseMember.objects.filter(merged_into__in=merge.members_added).exists()
        or CaseMemberChange.objects.filter(member_id__in=merge.members_added).exists()
    )
    if changed:
        problems.append(
            _(
                "People this merge added to %(target)s were merged or moved since (a merge "
                "of people): undo that first."
            )
            % {"target": target.reference}
        )
    links = CaseRequest.objects.filter(pk__in=merge.requests_linked, case=target)
    if links.count() != len(merge.requests_linked):
        problems.append(_("Requests this merge linked have been moved since."))
    return problems


@transaction.atomic
def case_merge_undo(*, merge: CaseMerge, actor: User, reason: str) -> CaseMerge:
    """Undo a merge of cases: everything CaseMerge recorded goes back.

    The members and request links the merge added to the target are removed, the notes
    and documents it moved return to the source, and the source reopens with the status
    it had, no longer merged. Notes and documents added to the target since stay there.
    Refused, with what is in the way, when things changed since in a way that cannot be
    undone (the target merged on, its added people merged, the source reopened).
    """
    if not permissions.can_merge_cases(actor):
        raise PermissionDenied
    if not reason.strip():
        raise CaseMergeUndoRefused(_("Say why the merge is wrong."))
    # Lock the merge, then both cases in id order (as case_merge does): two supervisors
    # undoing one merge at once must not both restore it, nor race a new merge of the pair.
    # No key of the locked rows changes (no delete, no unique column): FOR NO KEY UPDATE
    # on PostgreSQL, which does not hold up inserts of rows referencing them.
    merge = CaseMerge.objects.select_for_update(no_key=True).get(pk=merge.pk)
    locked = {
        c.pk: c
        for c in Case.objects.select_for_update(no_key=True)
        .filter(pk__in=[merge.source_id, merge.target_id])
        .order_by("pk")
    }
    source, target = locked[merge.source_id], locked[merge.target_id]
    problems = _undo_obstacles(merge, source, target)
    if problems:
        raise CaseMergeUndoRefused(problems)
    # The rows the merge itself made: nothing else refers to them (checked above).
    CaseMember.objects.filter(pk__in=merge.members_added, case=target).delete()
    CaseRequest.objects.filter(pk__in=merge.requests_linked, case=target).delete()
    notes_back = Note.objects.filter(pk__in=merge.notes_moved, case=target).update(case=source)
    documents_back = Document.objects.filter(pk__in=merge.documents_moved, case=target).update(
        case=source
    )
    source.status, source.merged_into = merge.source_status, None
    source.closure_outcome = merge.source_outcome
    source.save(update_fields=["status", "merged_into", "closure_outcome", "updated_at"])
    merge.undone_at, merge.undone_by = timezone.now(), actor
    merge.undo_reason = reason.strip()[:300]
    merge.save(update_fields=["undone_at", "undone_by", "undo_reason"])
    data = {
        "source": source.reference,
        "target": target.reference,
        "to_status": merge.source_status,
        "counts": _merge_counts(merge),
        "reason": merge.undo_reason,
    }
    english = f"Merge of {source.reference} into {target.reference} undone. Reason: "
    CaseEvent.objects.bulk_create(
        [
            CaseEvent(
                case=case,
                kind=CaseEvent.Kind.MERGE_UNDONE,
                actor=actor,
                description=(english + merge.undo_reason)[:500],
                data={"message": message, **data},
            )
            for case, message in (
                (source, "merge_undone_source"),
                (target, "merge_undone_target"),
            )
        ]
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=merge,
        summary=f"Undid the merge of case {source.reference} into {target.reference}",
        details={
            "source": source.pk,
            "target": target.pk,
            "members_removed": merge.members_added,
            "request_links_removed": merge.requests_linked,
            "notes_returned": notes_back,
            "documents_returned": documents_back,
            "reason": merge.undo_reason,
        },
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=source,
        summary=f"Reopened {source.reference}: merge into {target.reference} undone",
        details={"status": merge.source_status, "merged_into": None},
    )
    # The source's requests follow their own case again, and leave the target.
    public_status_sync(case=source, actor=actor)
    public_status_sync(case=target, actor=actor)
    return merge
