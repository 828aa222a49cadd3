"""How the partner API reads a request body into intake's channel-neutral input: used when it
answers, and again by the worker that stores the people of a request accepted with its people
pending (intake.services), so both read a body the same way."""

from __future__ import annotations

from haven.intake.models import Channel, IdentifierKind, Relationship
from haven.intake.services import PersonInput, RequestInput

from .schemas import PersonIn, RequestIn


def _person_input(
    person: PersonIn, position: int, extra_identifiers: list[tuple[str, str]]
) -> PersonInput:
    default = Relationship.PRINCIPAL if position == 0 else Relationship.OTHER
    return PersonInput(
        relationship=person.relationship or default,
        full_name=person.full_name,
        given_name=person.given_name,
        family_name=person.family_name,
        father_name=person.father_name,
        sex=person.sex,
        date_of_birth=person.date_of_birth,
        province=person.province,
        identifiers=tuple((i.kind.value, i.value) for i in person.identifiers)
        + tuple(extra_identifiers),
    )


def request_input(payload: RequestIn) -> RequestInput:
    """What was sent, channel-neutral; the requester is the token's partner system."""
    # The household's phone and e-mail belong to the principal, as at the walk-in desk.
    contact = [
        (kind, value)
        for kind, value in (
            (IdentifierKind.PHONE.value, payload.contact.phone),
            (IdentifierKind.EMAIL.value, payload.contact.email),
        )
        if value.strip()
    ]
    principal = next(
        (i for i, p in enumerate(payload.people) if p.relationship == Relationship.PRINCIPAL), 0
    )
    people = tuple(
        _person_input(person, i, contact if i == principal else [])
        for i, person in enumerate(payload.people)
    )
    return RequestInput(
        channel=Channel.API,
        people=people,
        help_requested=payload.help_requested,
        current_country=payload.location.country,
        current_location=payload.location.place,
        language=payload.language,
        consent_version=payload.consent_version,
    )


def people_from_raw_body(raw_body: str) -> tuple[PersonInput, ...]:
    """The people of a request body this API accepted, read as it read them (for the worker,
    which stores them after the answer); ValueError when the body no longer validates."""
    return request_input(RequestIn.model_validate_json(raw_body)).people
