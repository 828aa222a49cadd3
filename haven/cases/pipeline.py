"""Intake step: attach a new request to a case.

One request describes one household, so until identity resolution can find an
existing case for it, each request opens a new case with its people as members.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from haven.intake.models import PersonRecord, Relationship, Request
from haven.intake.services import IntakeContext
from haven.resolution.models import PersonLink

from .models import Case, CaseEvent, CaseMember, CaseRequest

if TYPE_CHECKING:
    from haven.accounts.models import User


def attach_request_to_case(
    *, request: Request, records: list[PersonRecord], actor: User | None, context: IntakeContext
) -> None:
    links = context.people_by_record or {
        link.person_record_id: link.person
        for link in PersonLink.objects.filter(
            person_record__in=records, ended_at__isnull=True
        ).select_related("person")
    }
    principal_record = next(
        (r for r in records if r.relationship == Relationship.PRINCIPAL),
        records[0] if records else None,
    )
    principal = links.get(principal_record.pk) if principal_record else None
    case = Case.objects.create(
        principal=principal,
        display_name=principal_record.display_name if principal_record else "",
    )
    members: dict[int, CaseMember] = {}
    for record in records:
        person = links[record.pk]
        members.setdefault(
            person.pk, CaseMember(case=case, person=person, relationship=record.relationship)
        )
    CaseMember.objects.bulk_create(members.values())
    CaseRequest.objects.create(case=case, request=request)
    context.case = case
    CaseEvent.objects.create(
        case=case,
        kind=CaseEvent.Kind.CREATED,
        actor=actor,
        description=f"Opened from request {request.receipt_number} ({request.get_channel_display()})",
    )
