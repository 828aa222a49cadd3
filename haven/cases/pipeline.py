"""Intake step: attach a new request to a case.

One request describes one household. When identity resolution has linked anyone
it names to a person already in an open case, the request joins that case (the
same family arriving through another channel); otherwise it opens a new case.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from haven.intake.models import PersonRecord, Relationship, Request
from haven.intake.services import IntakeContext
from haven.resolution.models import Person, PersonLink

from .models import Case, CaseEvent, CaseMember, CaseRequest

if TYPE_CHECKING:
    from haven.accounts.models import User


def _people_by_record(records: list[PersonRecord], context: IntakeContext) -> dict[int, Person]:
    return context.people_by_record or {
        link.person_record_id: link.person
        for link in PersonLink.objects.filter(
            person_record__in=records, ended_at__isnull=True
        ).select_related("person")
    }


def _known_case(principal: Person | None, people: list[Person]) -> Case | None:
    """The open case that already holds someone this request names, the principal's first."""
    memberships = (
        CaseMember.objects.filter(person__in=people)
        .exclude(case__status=Case.Status.CLOSED)
        .values_list("person_id", "case_id")
        .order_by("case_id")
    )
    case_ids: dict[int, int] = {}  # person -> their oldest open case
    for person_id, case_id in memberships:
        case_ids.setdefault(person_id, case_id)
    known = case_ids.get(principal.pk) if principal else None
    known = known or min(case_ids.values(), default=None)
    if known is None:
        return None
    # Lock the case: two requests for one household at once must both land in it.
    return Case.objects.select_for_update().get(pk=known)


def attach_request_to_case(
    *, request: Request, records: list[PersonRecord], actor: User | None, context: IntakeContext
) -> None:
    people = _people_by_record(records, context)
    principal_record = next(
        (r for r in records if r.relationship == Relationship.PRINCIPAL),
        records[0] if records else None,
    )
    principal = people.get(principal_record.pk) if principal_record else None
    case = _known_case(principal, list(people.values()))
    is_new = case is None
    if case is None:
        case = Case.objects.create(
            principal=principal,
            display_name=principal_record.display_name if principal_record else "",
        )
    members: dict[int, CaseMember] = {}
    for record in records:
        person = people[record.pk]
        members.setdefault(
            person.pk, CaseMember(case=case, person=person, relationship=record.relationship)
        )
    # A person already in the case stays as they are; only newcomers are added.
    CaseMember.objects.bulk_create(members.values(), ignore_conflicts=True)
    CaseRequest.objects.create(case=case, request=request)
    context.case = case
    channel = request.get_channel_display()
    CaseEvent.objects.create(
        case=case,
        kind=CaseEvent.Kind.CREATED if is_new else CaseEvent.Kind.REQUEST_LINKED,
        actor=actor,
        description=(
            f"Opened from request {request.receipt_number} ({channel})"
            if is_new
            else f"Request {request.receipt_number} ({channel}) names people already in this case"
        ),
    )
