"""Reads of resolved identities. Views go through these; they check the role and audit.

Seeing people and their records is reading cases (task-force roles); the review
queue and its decisions are casework (caseworkers, supervisors, admins).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import Http404

from haven.accounts import permissions
from haven.accounts.models import User
from haven.audit.models import AuditAction
from haven.audit.services import audit_record
from haven.intake.models import Identifier, PersonRecord

from .models import Person, PersonLink, PersonMerge, RecordVersion, ReviewItem


def require_casework(user: User) -> None:
    if not permissions.can_work_cases(user):
        raise PermissionDenied


def _require_view(user: User) -> None:
    if not permissions.can_view_cases(user):
        raise PermissionDenied


def review_queue(*, user: User) -> QuerySet[ReviewItem]:
    """Open pairs, strongest first, each with both records and their requests."""
    require_casework(user)
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        object_type="resolution.reviewitem",
        summary="Review queue",
    )
    return (
        ReviewItem.objects.filter(status=ReviewItem.Status.OPEN)
        .select_related("record_a__request", "record_b__request")
        .order_by("-score", "id")
    )


@dataclass(frozen=True)
class ReviewSide:
    record: PersonRecord
    person_id: int | None
    identifiers: list[Identifier]
    # The person the record is linked to now, for "a strong match for a second person".
    person: Person | None = None


@dataclass(frozen=True)
class ReviewView:
    item: ReviewItem
    left: ReviewSide
    right: ReviewSide
    fields: list[dict[str, Any]]


def _records_with_identifiers(ids: list[int]) -> dict[int, PersonRecord]:
    records = PersonRecord.objects.filter(pk__in=ids).select_related("request")
    records = records.prefetch_related(
        Prefetch("identifiers", queryset=Identifier.objects.order_by("kind", "id"))
    )
    return {r.pk: r for r in records}


def review_item_get(*, user: User, item_id: int) -> ReviewItem:
    require_casework(user)
    item = ReviewItem.objects.filter(pk=item_id).first()
    if item is None:
        raise Http404
    return item


def review_item_for_detail(*, user: User, item_id: int) -> ReviewView:
    """One pair side by side, with the current person of each record."""
    item = review_item_get(user=user, item_id=item_id)
    ids = [item.record_a_id, item.record_b_id]
    records = _records_with_identifiers(ids)
    people = dict(
        PersonLink.objects.filter(person_record_id__in=ids, ended_at__isnull=True).values_list(
            "person_record_id", "person_id"
        )
    )
    persons = Person.objects.in_bulk([p for p in people.values() if p is not None])
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        obj=item,
        summary=f"Review of records {item.record_a_id} and {item.record_b_id}",
    )

    def side(record_id: int) -> ReviewSide:
        record = records[record_id]
        person_id = people.get(record_id)
        return ReviewSide(
            record,
            person_id,
            list(record.identifiers.all()),
            persons.get(person_id) if person_id is not None else None,
        )

    return ReviewView(
        item=item,
        left=side(item.record_a_id),
        right=side(item.record_b_id),
        fields=list(item.details.get("fields", [])),
    )


def person_get(*, user: User, person_id: int) -> Person:
    _require_view(user)
    person = Person.objects.select_related("merged_into").filter(pk=person_id).first()
    if person is None:
        raise Http404
    return person


@dataclass(frozen=True)
class PersonView:
    person: Person
    # Every record linked now, with the link that says why.
    current: list[PersonLink]
    # Links of this person that were ended (merges, unmerges, batch moves): the history.
    ended: list[PersonLink]
    merges_in: list[PersonMerge]
    merges_out: list[PersonMerge]


def person_for_detail(*, user: User, person_id: int) -> PersonView:
    person = person_get(user=user, person_id=person_id)
    links = list(
        PersonLink.objects.filter(person=person)
        .select_related(
            "person_record__request",
            "created_by",
            "ended_by",
            "merge__source",
            "merge__target",
            "replaces__person",
        )
        .prefetch_related(
            Prefetch(
                "person_record__identifiers", queryset=Identifier.objects.order_by("kind", "id")
            ),
            Prefetch("person_record__versions", queryset=RecordVersion.objects.order_by("-number")),
        )
        .order_by("created_at", "id")
    )
    merges = list(
        PersonMerge.objects.filter(source=person).select_related("created_by", "undone_by")
    ) + list(PersonMerge.objects.filter(target=person).select_related("created_by", "undone_by"))
    audit_record(actor=user, action=AuditAction.VIEW, obj=person, summary=f"Person {person.pk}")
    return PersonView(
        person=person,
        current=[link for link in links if link.ended_at is None],
        ended=[link for link in links if link.ended_at is not None],
        merges_in=[m for m in merges if m.target_id == person.pk],
        merges_out=[m for m in merges if m.source_id == person.pk],
    )


def merge_get(*, user: User, merge_id: int) -> PersonMerge:
    require_casework(user)
    merge = PersonMerge.objects.filter(pk=merge_id).first()
    if merge is None:
        raise Http404
    return merge
