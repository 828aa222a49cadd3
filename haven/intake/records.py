"""A request's people as stored: person records built from PersonInput, with their parsed
identifiers, the same way for every channel (creation, the background drain, data entry)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from haven.common import bulk, crypto

from . import normalize
from .inputs import IdentifiersByRecord, PersonInput
from .models import Identifier, PersonRecord, Relationship, Request


def _names(person: PersonInput) -> tuple[str, str, str, str]:
    return (person.full_name, person.given_name, person.family_name, person.father_name)


def _has_name(person: PersonInput) -> bool:
    return any(n.strip() for n in _names(person))


def needs_data_entry(people: tuple[PersonInput, ...] | list[PersonInput]) -> bool:
    """Staff must enter this request by hand: no people, or someone without any name."""
    return not people or not all(_has_name(p) for p in people)


@dataclass(frozen=True)
class BuiltRecord:
    """An unsaved person record and the identifiers parsed from the same input, stored with
    it by person_records_create."""

    record: PersonRecord
    identifiers: tuple[normalize.NormalizedIdentifier, ...]


def person_record_build(*, request: Request, position: int, person: PersonInput) -> BuiltRecord:
    """An unsaved record, with its parsed identifiers."""
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
    return BuiltRecord(record=record, identifiers=tuple(identifiers))


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


def person_records_create(built: list[BuiltRecord]) -> list[PersonRecord]:
    """Store the records, then their identifiers; returns the records, saved."""
    # Two statements for any number of people: a surge of thousands of requests an hour is
    # bounded by round trips to the database, not by Python. The identifiers go without an
    # instance each: matching is handed them as written (identifiers_as_written), and reads
    # any other record's back from the database.
    records = [b.record for b in built]
    bulk.create_instances(records)
    bulk.insert_values(
        Identifier,
        [_identifier_values(b.record, parsed) for b in built for parsed in b.identifiers],
    )
    return records


def identifiers_as_written(built: list[BuiltRecord]) -> IdentifiersByRecord:
    """The identifiers of stored records as matching reads them, by record id, without
    reading them back."""
    return {b.record.pk: tuple((p.kind, p.as_written) for p in b.identifiers) for b in built}
