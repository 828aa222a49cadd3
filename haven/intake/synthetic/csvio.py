"""The identity-resolution evaluation files: person records as written, and the truth.

Written row by row from the request stream, so a million records need no more
memory than one request.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from pathlib import Path

from haven.intake.models import IdentifierKind
from haven.intake.services import PersonInput

from .generator import SyntheticRequest

RESOLVE_FILE_HEADER = (
    "record_id,channel,full_name,given_name,family_name,father_name,sex,date_of_birth,"
    "phone,email,passport_number,tazkira_number,siv_case_number,province"
)
TRUTH_FILE_HEADER = "record_id,person_id,household_id"

# Resolve-file column -> identifier kinds it takes, in order of preference.
_IDENTIFIER_COLUMNS: dict[str, tuple[str, ...]] = {
    "phone": (IdentifierKind.PHONE,),
    "email": (IdentifierKind.EMAIL,),
    "passport_number": (IdentifierKind.PASSPORT,),
    "tazkira_number": (IdentifierKind.E_TAZKIRA, IdentifierKind.PAPER_TAZKIRA),
    "siv_case_number": (IdentifierKind.SIV_CASE,),
}


def _first_identifier(person: PersonInput, kinds: tuple[str, ...]) -> str:
    for kind in kinds:
        for written_kind, value in person.identifiers:
            if written_kind == kind:
                return value
    return ""


def record_row(record_id: str, channel: str, person: PersonInput) -> list[str]:
    """One person record in RESOLVE_FILE_HEADER order."""
    ids = {
        column: _first_identifier(person, kinds) for column, kinds in _IDENTIFIER_COLUMNS.items()
    }
    return [
        record_id,
        channel,
        person.full_name,
        person.given_name,
        person.family_name,
        person.father_name,
        person.sex,
        person.date_of_birth,
        ids["phone"],
        ids["email"],
        ids["passport_number"],
        ids["tazkira_number"],
        ids["siv_case_number"],
        person.province,
    ]


def truth_rows(
    request: SyntheticRequest, record_ids: Iterable[object]
) -> Iterator[tuple[str, str, str]]:
    """(record_id, person_id, household_id) for each record of one request, in order."""
    for record_id, person_key in zip(record_ids, request.person_keys, strict=True):
        yield str(record_id), person_key, request.household_key


def write_records_csv(
    requests: Iterable[SyntheticRequest],
    records_path: str | Path,
    truth_path: str | Path,
    *,
    request_ids: bool = False,
) -> int:
    """Write the resolve file and its ground truth; returns the number of records.

    With request_ids, a last column `request_id` says which records came in one request
    (what the application knows of every record; resolve-file honours it when present).
    """
    written = 0
    with (
        open(records_path, "w", newline="", encoding="utf-8") as records_file,
        open(truth_path, "w", newline="", encoding="utf-8") as truth_file,
    ):
        records = csv.writer(records_file, lineterminator="\n")
        truth = csv.writer(truth_file, lineterminator="\n")
        records.writerow(RESOLVE_FILE_HEADER.split(",") + (["request_id"] if request_ids else []))
        truth.writerow(TRUTH_FILE_HEADER.split(","))
        for number, request in enumerate(requests, start=1):
            record_ids = request.record_ids
            extra = [f"q{number}"] if request_ids else []
            for record_id, person in zip(record_ids, request.data.people, strict=True):
                records.writerow(record_row(record_id, request.data.channel, person) + extra)
            truth.writerows(truth_rows(request, record_ids))
            written += len(record_ids)
    return written
