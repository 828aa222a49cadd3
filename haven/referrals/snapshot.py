"""What a partner receives: the fields its agreement allows, read once, frozen at sending.

Built for many cases at once (a bulk referral of 10,000 cases reads each table a few times,
not once per case); a single referral is a batch of one.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from haven.cases.models import CaseMember, CaseRequest
from haven.common import crypto
from haven.intake.models import Identifier, PersonRecord
from haven.resolution.models import PersonLink
from haven.triage.models import CaseFacts

from .models import SHAREABLE_IDENTIFIERS, SharingAgreement

CHUNK = 2000
_CONTACT_KINDS = {"phone": "phone", "email": "email"}


@dataclass(frozen=True)
class Member:
    id: int
    case_id: int
    person_id: int
    relationship: str


def _chunks(values: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def current_members(case_ids: Sequence[int]) -> dict[int, list[Member]]:
    """Each case's household now (rows folded by a merge of people are history)."""
    found: dict[int, list[Member]] = defaultdict(list)
    for chunk in _chunks(case_ids):
        rows = (
            CaseMember.objects.filter(case_id__in=chunk, merged_into__isnull=True)
            .order_by("case_id", "id")
            .values_list("id", "case_id", "person_id", "relationship")
        )
        for row in rows:
            found[row[1]].append(Member(*row))
    return found


def _records_by_person(person_ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    """Every record linked to each person now, newest first."""
    record_person: dict[int, int] = {}
    for chunk in _chunks(person_ids):
        links = PersonLink.objects.filter(person_id__in=chunk, ended_at__isnull=True)
        record_person.update(links.values_list("person_record_id", "person_id"))
    by_person: dict[int, list[dict[str, Any]]] = defaultdict(list)
    record_ids = sorted(record_person, reverse=True)
    for chunk in _chunks(record_ids):
        rows = PersonRecord.objects.filter(pk__in=chunk).values(
            "id", "full_name", "given_name", "family_name", "father_name", "sex", "dob",
            "dob_precision", "request_id",
        )  # fmt: skip
        for row in rows:
            by_person[record_person[row["id"]]].append(dict(row))
    for records in by_person.values():
        records.sort(key=lambda r: r["id"], reverse=True)
    return by_person


def _identifiers(record_ids: Sequence[int], kinds: set[str]) -> dict[int, list[tuple[str, str]]]:
    found: dict[int, list[tuple[str, str]]] = defaultdict(list)
    if not kinds:
        return found
    for chunk in _chunks(record_ids):
        rows = Identifier.objects.filter(person_record_id__in=chunk, kind__in=kinds).values_list(
            "person_record_id", "kind", "normalized_encrypted", "value_as_written_encrypted"
        )
        for record_id, kind, normalized, as_written in rows:
            value = crypto.decrypt(normalized) if normalized else crypto.decrypt(as_written)
            found[record_id].append((kind, value))
    return found


def _case_context(case_ids: Sequence[int], fields: set[str]) -> dict[int, dict[str, Any]]:
    """Location and language from each case's latest request; vulnerabilities from triage."""
    context: dict[int, dict[str, Any]] = defaultdict(dict)
    if fields & {"current_location", "language"}:
        for chunk in _chunks(case_ids):
            rows = (
                CaseRequest.objects.filter(case_id__in=chunk)
                .order_by("case_id", "request__received_at", "request_id")
                .values_list(
                    "case_id",
                    "request__current_country",
                    "request__current_location",
                    "request__language",
                )
            )
            for case_id, country, place, language in rows:  # the latest wins
                if country or place:
                    context[case_id]["current_location"] = {"country": country, "place": place}
                if language:
                    context[case_id]["language"] = language
    if "vulnerabilities" in fields:
        for chunk in _chunks(case_ids):
            for case_id, facts in CaseFacts.objects.filter(case_id__in=chunk).values_list(
                "case_id", "facts"
            ):
                if isinstance(facts, dict) and "vulnerabilities" in facts:
                    context[case_id]["vulnerabilities"] = facts["vulnerabilities"]
    return context


def _person(
    member: Member,
    records: list[dict[str, Any]],
    identifiers: dict[int, list[tuple[str, str]]],
    fields: set[str],
    identifier_kinds: set[str],
) -> dict[str, Any]:
    person: dict[str, Any] = {"relationship": member.relationship}
    latest = records[0] if records else {}
    if "names" in fields:
        person["full_name"] = latest.get("full_name", "")
        person["given_name"] = latest.get("given_name", "")
        person["family_name"] = latest.get("family_name", "")
    if "father_name" in fields:
        person["father_name"] = next((r["father_name"] for r in records if r["father_name"]), "")
    if "sex" in fields:
        person["sex"] = next((r["sex"] for r in records if r["sex"]), "")
    dated = next((r for r in records if r["dob"]), None)
    if "year_of_birth" in fields:
        person["year_of_birth"] = dated["dob"].year if dated else None
    if "date_of_birth" in fields:
        exact = dated is not None and dated["dob_precision"] == "exact"
        person["date_of_birth"] = dated["dob"].isoformat() if exact and dated else None
    values: dict[str, list[str]] = defaultdict(list)
    for record in records:
        for kind, value in identifiers.get(record["id"], []):
            if value not in values[kind]:
                values[kind].append(value)
    for field, kind in _CONTACT_KINDS.items():
        if field in fields:
            person[field] = values.get(kind, [])
    if identifier_kinds:
        person["identifiers"] = [
            {"kind": kind, "value": value}
            for kind in SHAREABLE_IDENTIFIERS
            if kind in identifier_kinds
            for value in values.get(kind, [])
        ]
    return person


def snapshots_build(
    *,
    agreement: SharingAgreement,
    members_by_case: dict[int, list[Member]],
    pathways: dict[int, str],
) -> dict[int, dict[str, Any]]:
    """The snapshot of each case for this agreement: only the fields it names."""
    fields = set(agreement.fields)
    identifier_kinds = set(agreement.identifier_kinds) & set(SHAREABLE_IDENTIFIERS)
    kinds = identifier_kinds | {k for f, k in _CONTACT_KINDS.items() if f in fields}
    case_ids = sorted(members_by_case)
    person_ids = sorted({m.person_id for ms in members_by_case.values() for m in ms})
    records = _records_by_person(person_ids)
    identifiers = _identifiers(sorted(r["id"] for rs in records.values() for r in rs), kinds)
    context = _case_context(case_ids, fields)
    snapshots: dict[int, dict[str, Any]] = {}
    for case_id in case_ids:
        snapshot: dict[str, Any] = {
            "fields": sorted(fields),
            "identifier_kinds": sorted(identifier_kinds),
            "people": [
                _person(m, records.get(m.person_id, []), identifiers, fields, identifier_kinds)
                for m in members_by_case[case_id]
            ],
        }
        if "pathway" in fields:
            snapshot["pathway"] = pathways.get(case_id, "")
        for key in ("current_location", "language", "vulnerabilities"):
            if key in fields:
                snapshot[key] = context.get(case_id, {}).get(key)
        snapshots[case_id] = snapshot
    return snapshots


def snapshot_dumps(snapshot: dict[str, Any]) -> str:
    return json.dumps(snapshot, ensure_ascii=False, sort_keys=True)


def snapshot_loads(text: str) -> dict[str, Any]:
    if not text:
        return {}
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def people_label(snapshot: dict[str, Any]) -> str:
    """How the partner's list names the household: the principal's name when shared."""
    people: Iterable[dict[str, Any]] = snapshot.get("people", [])
    for person in people:
        name = person.get("full_name") or " ".join(
            p for p in (person.get("given_name", ""), person.get("family_name", "")) if p
        )
        if name:
            return str(name)
    return ""
