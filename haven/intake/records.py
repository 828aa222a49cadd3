"""A request's people as stored: person records built from PersonInput, with their parsed
identifiers, the same way for every channel (creation, the background drain, data entry)."""

from __future__ import annotations

from typing import Any

from haven.common import bulk, crypto

from . import normalize
from .inputs import PersonInput
from .models import Identifier, PersonRecord, Relationship, Request


def _names(person: PersonInput) -> tuple[str, str, str, str]:
    return (person.full_name, person.given_name, person.family_name, person.father_name)


def _has_name(person: PersonInput) -> bool:
    return any(n.strip() for n in _names(person))


def needs_data_entry(people: tuple[PersonInput, ...] | list[PersonInput]) -> bool:
    """Staff must enter this request by hand: no people, or someone without any name."""
    return not people or not all(_has_name(p) for p in people)


def person_record_build(*, request: Request, position: int, person: PersonInput) -> PersonRecord:
    """An unsaved record, with its parsed identifiers waiting in `pending_identifiers`."""
    dob = normalize.parse_date_of_birth(person.date_of_birth)
    names = _names(person)
    identifiers = [
        normalize.normalize_identifier(kind, value)
        for kind, value in person.identifiers
        if value and value.strip()
    ]
    flags = [
        *dob.flags,
        *(["name_missing"] if not _has_name(person) else []),
        *(f"{i.kind}_invalid" for i in identifiers if not i.is_valid),
    ]
    record = PersonRecord(
        request=request,
        position=position,
        relationship=person.relationship or Relationship.OTHER,
        full_name=person.full_name.strip(),
        given_name=person.given_name.strip(),
        family_name=person.family_name.strip(),
        father_name=person.father_name.strip(),
        search_text=normalize.search_text(*names)[:700],
        sex=person.sex,
        dob_as_written=person.date_of_birth.strip()[:50],
        dob=dob.value,
        dob_precision=dob.precision,
        province=person.province.strip(),
        flags=flags,
    )
    record.pending_identifiers = identifiers  # type: ignore[attr-defined]
    return record


def _identifier_values(
    record: PersonRecord, parsed: normalize.NormalizedIdentifier
) -> dict[str, Any]:
    return {
        "person_record_id": record.pk,
        "kind": parsed.kind,
        "value_as_written_encrypted": crypto.encrypt(parsed.as_written),
        "normalized_encrypted": crypto.encrypt(parsed.normalized) if parsed.normalized else "",
        "value_hash": (
            crypto.keyed_hash(parsed.kind, parsed.normalized) if parsed.normalized else ""
        ),
        "is_valid": parsed.is_valid,
    }


def person_records_create(records: list[PersonRecord]) -> list[PersonRecord]:
    # Two statements for any number of people: a surge of thousands of requests an hour is
    # bounded by round trips to the database, not by Python. The identifiers go without an
    # instance each: the pipeline reads them back from the database when it needs them.
    bulk.create_instances(records)
    bulk.insert_values(
        Identifier,
        [
            _identifier_values(record, parsed)
            for record in records
            for parsed in record.pending_identifiers  # type: ignore[attr-defined]
        ],
    )
    return records
