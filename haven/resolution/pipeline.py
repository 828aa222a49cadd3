"""Intake step: give every new person record a Person.

Until matching lands (identity-resolution issue) each record gets a new person,
which the intake contract allows; the link says so, so a later batch run can
tell these apart from decisions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from haven.intake.models import PersonRecord, Request
from haven.intake.services import IntakeContext

from .models import Person, PersonLink

if TYPE_CHECKING:
    from haven.accounts.models import User


def resolve_request_people(
    *, request: Request, records: list[PersonRecord], actor: User | None, context: IntakeContext
) -> None:
    people = Person.objects.bulk_create([Person(display_name=r.display_name) for r in records])
    context.people_by_record.update({r.pk: p for r, p in zip(records, people, strict=True)})
    PersonLink.objects.bulk_create(
        [
            PersonLink(
                person_record=record,
                person=person,
                method=PersonLink.Method.NEW_PERSON,
                rule="no_match_attempted",
                created_by=actor,
            )
            for record, person in zip(records, people, strict=True)
        ]
    )
