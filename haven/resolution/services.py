"""Writes to resolved identities: reviewer decisions, merges and unmerges.

Nothing here deletes: a merge ends the source person's links and makes new ones
to the target (method MERGE, pointing at the link each replaces); an unmerge
ends those and gives each record its pre-merge link back. Every write is
audited in the same transaction.

Apps downstream of resolution (cases) must follow what happens to people, but
resolution may not import them: every write that changes whose records are whose
describes the change in a `PeopleChange` and hands it to the callables named in
`people_changed_handlers` (`people_changed_notify`), filled in cases/apps.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from haven.accounts import permissions
from haven.accounts.models import User
from haven.audit.models import AuditAction
from haven.audit.services import audit_record
from haven.common.registry import Registry

from .models import Person, PersonLink, PersonMerge, ReviewDecision, ReviewItem


class MergeRefused(ValidationError):
    """The two people must not become one; the message says why, in plain words."""


class AlreadyDecided(ValidationError):
    pass


@dataclass(frozen=True)
class MergedPair:
    """One person folded into another (or that folding undone), by PersonMerge `merge_id`."""

    merge_id: int
    source_id: int
    target_id: int


@dataclass(frozen=True)
class RecordMove:
    """A record whose current person changed. `from_person_id` None: it had none before."""

    record_id: int
    from_person_id: int | None
    to_person_id: int


@dataclass(frozen=True)
class RecordEdited:
    """Staff corrected a record of `person_id` (services_records.record_edit): its version
    `version` changed these fields ("names", "date_of_birth", "sex", "identifiers")."""

    record_id: int
    person_id: int
    version: int
    changed: tuple[str, ...]


@dataclass(frozen=True)
class PeopleChange:
    """What one resolution write did to people, for downstream apps to follow.

    `moved` lists every record whose person changed, those of `merged` and `unmerged`
    included; `merged` the people folded into another (a merge, a reviewer's "same", or a
    batch run that moved all of a person's records to one other person); `unmerged` the
    merges undone. `reason` is for people reading the downstream history.
    """

    moved: tuple[RecordMove, ...] = ()
    merged: tuple[MergedPair, ...] = ()
    unmerged: tuple[MergedPair, ...] = ()
    reason: str = ""
    # Records staff corrected: nobody moved, but their cases' histories say so.
    edited: tuple[RecordEdited, ...] = ()


class PeopleChangedHandler(Protocol):
    def __call__(self, *, change: PeopleChange, actor: User | None) -> None: ...


# Who follows merges and re-links of people (cases moves its members; cases/apps.py fills it).
people_changed_handlers: Registry[PeopleChangedHandler] = Registry(
    "followers of merged, unmerged or re-linked people"
)


def people_changed_notify(*, change: PeopleChange, actor: User | None) -> None:
    """Call each of `people_changed_handlers` as handler(change=, actor=).

    Called inside the transaction that changed the people, on purpose: a case member must
    never point at a person merged away, not even between the commit and an on_commit
    callback, and a handler that fails rolls the change back instead of leaving resolution
    and cases disagreeing. Handlers must therefore be quick and set-based (a batch run can
    move many thousands of records at once). `actor` None is the batch run.
    """
    if not (change.moved or change.merged or change.unmerged or change.edited):
        return
    for handler in people_changed_handlers.values():
        handler(change=change, actor=actor)


def batch_people_changed_notify(
    *,
    moves: Iterable[tuple[int, int | None, int]],
    merges: Iterable[PersonMerge],
    reason: str,
) -> None:
    """A batch run's changes, told downstream like any merge: `moves` are (record, person
    before or None, person after); `merges` the people the run emptied into one other."""
    people_changed_notify(
        change=PeopleChange(
            moved=tuple(RecordMove(*move) for move in moves),
            merged=tuple(MergedPair(m.pk, m.source_id, m.target_id) for m in merges),
            reason=reason,
        ),
        actor=None,
    )


def _require_casework(actor: User) -> None:
    if not permissions.can_work_cases(actor):
        raise PermissionDenied


def pair_ordered(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def latest_decisions(record_ids: Iterable[int]) -> dict[tuple[int, int], str]:
    """The latest reviewer decision for every pair among or touching these records."""
    ids = list(set(record_ids))
    decided: dict[tuple[int, int], str] = {}
    if not ids:
        return decided
    rows = (
        ReviewDecision.objects.filter(Q(record_a_id__in=ids) | Q(record_b_id__in=ids))
        .order_by("decided_at", "id")
        .values_list("record_a_id", "record_b_id", "decision")
    )
    for a, b, decision in rows:
        decided[(a, b)] = decision  # later rows overwrite earlier ones
    return decided


def _current_links(person: Person, *, lock: bool) -> list[PersonLink]:
    links = PersonLink.objects.filter(person=person, ended_at__isnull=True).select_related(
        "person_record"
    )
    if lock:
        # No key of the locked rows changes (no delete, no unique column): FOR NO KEY UPDATE
        # on PostgreSQL, which does not hold up inserts of rows referencing them.
        links = links.select_for_update(no_key=True, of=("self",))
    return list(links.order_by("id"))


def _merge_check(source_links: list[PersonLink], target_links: list[PersonLink]) -> None:
    source_requests = {link.person_record.request_id for link in source_links}
    if source_requests & {link.person_record.request_id for link in target_links}:
        raise MergeRefused(
            "One request lists these two as different members of a household: "
            "they cannot be merged."
        )
    source_ids = {link.person_record_id for link in source_links}
    target_ids = {link.person_record_id for link in target_links}
    for (a, b), decision in latest_decisions(source_ids).items():
        crosses = (a in source_ids and b in target_ids) or (b in source_ids and a in target_ids)
        if crosses and decision == ReviewDecision.Decision.NOT_SAME:
            raise MergeRefused(
                "A reviewer decided that records of these two people are not the same person."
            )


@transaction.atomic
def person_merge(
    *,
    source: Person,
    target: Person,
    actor: User | None,
    reason: str = "",
    decision: ReviewDecision | None = None,
) -> PersonMerge:
    """Fold `source` into `target`: every record of source now links to target.

    `actor` None is the batch run; a person must be able to do casework.
    """
    if actor is not None:
        _require_casework(actor)
    if source.pk == target.pk:
        raise MergeRefused("A person cannot be merged with themselves.")
    # Lock both people, in id order so two merges of the same pair cannot deadlock: two
    # reviewers merging at once must not both move the same links.
    # No key of the locked rows changes (no delete, no unique column): FOR NO KEY UPDATE
    # on PostgreSQL, which does not hold up inserts of rows referencing them.
    locked = {
        p.pk: p
        for p in Person.objects.select_for_update(no_key=True)
        .filter(pk__in=[source.pk, target.pk])
        .order_by("pk")
    }
    source, target = locked[source.pk], locked[target.pk]
    if source.merged_into_id or target.merged_into_id:
        raise MergeRefused("One of these people was already merged into another person.")
    source_links = _current_links(source, lock=True)
    target_links = _current_links(target, lock=False)
    _merge_check(source_links, target_links)
    merge = PersonMerge.objects.create(
        source=source, target=target, reason=reason[:300], decision=decision, created_by=actor
    )
    now = timezone.now()
    for link in source_links:
        link.ended_at, link.ended_by = now, actor
        link.save(update_fields=["ended_at", "ended_by"])
    PersonLink.objects.bulk_create(
        [
            PersonLink(
                person_record_id=link.person_record_id,
                person=target,
                method=PersonLink.Method.MERGE,
                rule=f"merge #{merge.pk}",
                score=link.score,
                created_by=actor,
                merge=merge,
                replaces=link,
            )
            for link in source_links
        ]
    )
    source.merged_into = target
    source.save(update_fields=["merged_into"])
    people_changed_notify(
        change=PeopleChange(
            moved=tuple(
                RecordMove(link.person_record_id, source.pk, target.pk) for link in source_links
            ),
            merged=(MergedPair(merge.pk, source.pk, target.pk),),
            reason=merge.reason,
        ),
        actor=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=merge,
        summary=f"Merged person {source.pk} into person {target.pk}",
        details={
            "source": source.pk,
            "target": target.pk,
            "records": [link.person_record_id for link in source_links],
            "decision": decision.pk if decision else None,
        },
    )
    return merge


@transaction.atomic
def person_unmerge(*, merge: PersonMerge, actor: User, reason: str = "") -> PersonMerge:
    """Undo a merge: the records it moved link to the source person again, as before.

    Records linked to the target since (a later intake match) stay with the target. A
    "not the same" decision is recorded for the pair, so no later run merges them again.
    """
    _require_casework(actor)
    # Lock the merge: undoing it twice at once would restore every link twice.
    # No key of the locked rows changes (no delete, no unique column): FOR NO KEY UPDATE
    # on PostgreSQL, which does not hold up inserts of rows referencing them.
    merge = (
        PersonMerge.objects.select_for_update(no_key=True)
        .select_related("source", "target")
        .get(pk=merge.pk)
    )
    if merge.undone_at is not None:
        raise MergeRefused("This merge has already been undone.")
    if merge.target.merged_into_id is not None:
        raise MergeRefused("The merged person was later merged again: undo that later merge first.")
    # No key of the locked rows changes (no delete, no unique column): FOR NO KEY UPDATE
    # on PostgreSQL, which does not hold up inserts of rows referencing them.
    moved = list(
        PersonLink.objects.select_for_update(no_key=True, of=("self",))
        .filter(merge=merge, person=merge.target, ended_at__isnull=True)
        .select_related("replaces")
        .order_by("id")
    )
    now = timezone.now()
    for link in moved:
        link.ended_at, link.ended_by = now, actor
        link.save(update_fields=["ended_at", "ended_by"])
    restored = []
    for link in moved:
        original = link.replaces
        restored.append(
            PersonLink(
                person_record_id=link.person_record_id,
                person=merge.source,
                method=original.method if original else PersonLink.Method.MERGE,
                rule=(original.rule if original else "")[:100],
                score=original.score if original else link.score,
                created_by=actor,
                merge=merge,
                replaces=link,
            )
        )
    PersonLink.objects.bulk_create(restored)
    merge.source.merged_into = None
    merge.source.save(update_fields=["merged_into"])
    merge.undone_at, merge.undone_by, merge.undo_reason = now, actor, reason[:300]
    merge.save(update_fields=["undone_at", "undone_by", "undo_reason"])
    people_changed_notify(
        change=PeopleChange(
            moved=tuple(
                RecordMove(link.person_record_id, merge.target_id, merge.source_id)
                for link in moved
            ),
            unmerged=(MergedPair(merge.pk, merge.source_id, merge.target_id),),
            reason=merge.undo_reason,
        ),
        actor=actor,
    )
    remaining = (
        PersonLink.objects.filter(person=merge.target, ended_at__isnull=True)
        .order_by("person_record_id")
        .values_list("person_record_id", flat=True)
        .first()
    )
    if moved and remaining is not None:
        a, b = pair_ordered(moved[0].person_record_id, remaining)
        ReviewDecision.objects.create(
            record_a_id=a,
            record_b_id=b,
            decision=ReviewDecision.Decision.NOT_SAME,
            note=f"Unmerge of merge #{merge.pk}",
            decided_by=actor,
        )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=merge,
        summary=f"Undid merge of person {merge.source_id} into person {merge.target_id}",
        # The reason is free text: it stays in PersonMerge.undo_reason, encrypted, not here.
        details={"records": [link.person_record_id for link in moved]},
    )
    return merge


def _current_person_id(record_id: int) -> int:
    return PersonLink.objects.get(person_record_id=record_id, ended_at__isnull=True).person_id


@transaction.atomic
def review_decide(
    *, item: ReviewItem, actor: User, decision: str, note: str = ""
) -> ReviewDecision:
    """Record a reviewer's "same" / "not the same" for a pair; "same" merges the two people.

    Kept for good: intake merges and every batch run respect the latest decision for a pair.
    """
    _require_casework(actor)
    if decision not in ReviewDecision.Decision.values:
        raise ValidationError("Unknown decision.")
    # Lock the item: two reviewers deciding the same pair at once must not both merge.
    # No key of the locked rows changes (no delete, no unique column): FOR NO KEY UPDATE
    # on PostgreSQL, which does not hold up inserts of rows referencing them.
    item = ReviewItem.objects.select_for_update(no_key=True).get(pk=item.pk)
    if item.status != ReviewItem.Status.OPEN:
        raise AlreadyDecided("This pair has already been decided.")
    made = ReviewDecision.objects.create(
        record_a_id=item.record_a_id,
        record_b_id=item.record_b_id,
        item=item,
        decision=decision,
        note=note.strip()[:500],
        decided_by=actor,
    )
    item.status = decision
    item.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=made,
        summary=f"Review of records {item.record_a_id} and {item.record_b_id}: {decision}",
        details={"item": item.pk, "decision": decision, "score": round(item.score, 3)},
    )
    if decision == ReviewDecision.Decision.SAME:
        a, b = _current_person_id(item.record_a_id), _current_person_id(item.record_b_id)
        if a != b:
            # The newer person folds into the older one: the older is more likely already
            # a case member that caseworkers know.
            older, newer = Person.objects.get(pk=min(a, b)), Person.objects.get(pk=max(a, b))
            person_merge(
                source=newer,
                target=older,
                actor=actor,
                reason=f"Review #{item.pk}: the same person",
                decision=made,
            )
    return made
