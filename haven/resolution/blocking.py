"""Candidates at intake: match profiles and blocking keys in the application database.

Each person record gets, once, a *profile* (the columns the model compares,
prepared by `records.record_prepare`) and a few *blocking keys*: one 64-bit
keyed hash per blocking rule of the model ("same name consonants and birth
year", "same passport", ...). An incoming record's candidates are the records
that share any of its keys: one indexed query, however many people exist.

Identifiers never appear in clear: in the profile they are keyed hashes (an
equal hash is an equal value, which is all the equality levels need); the few
levels that compare identifiers by edit distance decrypt the candidate's
identifiers on demand (`clear_columns_load`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db import connection

from haven.common import crypto
from haven.common.iterables import chunked
from haven.intake.models import Identifier, IdentifierKind, PersonRecord

from . import model
from .models import BlockingKey, MatchProfile
from .realtime import frozen
from .records import INSUFFICIENT, MATCH_COLUMNS, record_prepare

logger = logging.getLogger(__name__)

# Identifier columns of a profile, kept only as keyed hashes.
HASHED_COLUMNS = ("passport", "tazkira", "siv", "email", "phone")
# Intake's identifier kinds → the resolve-file column the preparation reads.
_IDENTIFIER_COLUMN = {
    IdentifierKind.PASSPORT: "passport_number",
    IdentifierKind.E_TAZKIRA: "tazkira_number",
    IdentifierKind.PAPER_TAZKIRA: "tazkira_number",
    IdentifierKind.SIV_CASE: "siv_case_number",
    IdentifierKind.PHONE: "phone",
    IdentifierKind.EMAIL: "email",
}
# The batch path blocks on frequency-capped copies of some columns (resolve.rare_values_mark);
# here the copy is the column itself, and a key shared by more than RARE_CAP records is skipped,
# which is what the cap means.
_RARE_BASE = {
    "name_first_rare": "name_first",
    "father_rare": "father_cons",
    "name_cons_rare": "name_cons",
}
# At most this many candidates per key: a common name and year must not make intake slow.
KEY_CAP = 100
RARE_CAP = 50
# Ids per IN (...) list: SQLite allows 32,766 parameters a statement; this stays far below.
IDS_PER_STATEMENT = 5000
# Rows per INSERT of profiles and keys: an intake batch's keys in one or two (on PostgreSQL,
# bulk_create sends them as one array per column, so a statement's size is no concern).
KEYS_BATCH = 10_000


def record_row(
    record: PersonRecord, identifiers: Iterable[tuple[str, str]], *, record_id: str | None = None
) -> dict[str, str]:
    """A person record as a resolve-file input row; identifiers as (kind, value as written)."""
    row = {
        "record_id": record_id if record_id is not None else str(record.pk),
        "full_name": record.full_name,
        "given_name": record.given_name,
        "family_name": record.family_name,
        "father_name": record.father_name,
        "sex": record.sex,
        "date_of_birth": record.dob_as_written,
        "province": record.province,
    }
    for kind, value in identifiers:
        column = _IDENTIFIER_COLUMN.get(kind)  # type: ignore[call-overload]
        if column and value and not row.get(column):
            row[column] = value
    return row


def record_today(record: PersonRecord) -> dt.date:
    """The day a record was received: an age ("35 years") counts from then, not from today."""
    received = getattr(record.request, "received_at", None) if record.request_id else None
    return received.date() if received else dt.date.today()


def _hmac_key() -> bytes:
    return str(settings.IDENTIFIER_HMAC_KEY).encode()


def _keyed(namespace: str, value: str) -> bytes:
    return hmac.new(_hmac_key(), f"{namespace}\x1f{value}".encode(), hashlib.sha256).digest()


def value_hash(column: str, value: str) -> str:
    return _keyed(f"match:{column}", value).hex()[:32]


def profile_build(prepared: Mapping[str, Any]) -> dict[str, Any]:
    """The stored profile: the match columns, identifiers replaced by their keyed hash."""
    profile = {c: prepared.get(c) for c in MATCH_COLUMNS if c != "unique_id" and c in prepared}
    for column in HASHED_COLUMNS:
        if profile.get(column):
            profile[column] = value_hash(column, str(profile[column]))
    return profile


def profile_is_insufficient(prepared: Mapping[str, Any]) -> bool:
    return INSUFFICIENT in prepared.get("flags", ())


# --- blocking rules, read from the model --------------------------------------------------

_PART = re.compile(
    r"^\s*(?:l\.(?P<col>\w+)\s*=\s*r\.(?P=col)"
    r"|substr\(\s*l\.(?P<scol>\w+)\s*,\s*(?P<a>\d+)\s*,\s*(?P<b>\d+)\s*\)\s*=\s*"
    r"substr\(\s*r\.(?P=scol)\s*,\s*(?P=a)\s*,\s*(?P=b)\s*\))\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class KeyRule:
    """A blocking rule as (column, first characters or None) parts, e.g. name_cons + dob_year."""

    name: str
    parts: tuple[tuple[str, int | None], ...]
    rare: bool

    def value(self, profile: Mapping[str, Any]) -> str | None:
        values = []
        for column, prefix in self.parts:
            value = profile.get(column)
            if value is None or value == "" or value == []:
                return None  # SQL equality never holds on NULL
            text = value if isinstance(value, str) else str(value)
            values.append(text[:prefix] if prefix else text)
        return "\x1f".join(values)


def _rule_parse(text: str) -> KeyRule | None:
    parts: list[tuple[str, int | None]] = []
    rare = False
    for piece in re.split(r"\s+AND\s+", text.strip(), flags=re.IGNORECASE):
        match = _PART.match(piece)
        if not match:
            return None
        column = match.group("col") or match.group("scol")
        prefix = None
        if match.group("scol"):
            if match.group("a") != "1":
                return None
            prefix = int(match.group("b"))
        if column in _RARE_BASE:
            column, rare = _RARE_BASE[column], True
        if column not in MATCH_COLUMNS:
            return None
        parts.append((column, prefix))
    parts.sort(key=lambda p: (p[0], p[1] or 0))
    name = "&".join(f"{c}:{p}" if p else c for c, p in parts)
    return KeyRule(name=name + ("~rare" if rare else ""), parts=tuple(parts), rare=rare)


def key_rules(trained_model: Mapping[str, Any]) -> tuple[KeyRule, ...]:
    rules: dict[str, KeyRule] = {}
    for entry in trained_model.get("blocking_rules_to_generate_predictions", []):
        text = entry["blocking_rule"] if isinstance(entry, Mapping) else str(entry)
        rule = _rule_parse(text)
        if rule is None:
            logger.warning("Blocking rule not usable at intake, skipped: %s", text)
            continue
        rules.setdefault(rule.name, rule)
    return tuple(rules.values())


@lru_cache(maxsize=1)
def packaged_key_rules() -> tuple[KeyRule, ...]:
    return key_rules(model.packaged_model())


def _as_bigint(digest: bytes) -> int:
    return int.from_bytes(digest[:8], "big", signed=True)


def keys_of(profile: Mapping[str, Any], rules: Sequence[KeyRule]) -> dict[int, KeyRule]:
    """This profile's blocking keys, each with the rule that made it."""
    keys: dict[int, KeyRule] = {}
    for rule in rules:
        value = rule.value(profile)
        if value is not None:
            keys[_as_bigint(_keyed(f"block:{rule.name}", value))] = rule
    return keys


# --- look-up ---------------------------------------------------------------------------------


def _keys_look_up(keys: Mapping[int, KeyRule]) -> dict[int, list[int]]:
    table = connection.ops.quote_name(BlockingKey._meta.db_table)
    caps = [(RARE_CAP if rule.rare else KEY_CAP) + 1 for rule in keys.values()]
    if connection.vendor == "postgresql":
        # One bounded index probe per key through LATERAL: the same rows as the UNION ALL
        # below, but planned once (PostgreSQL took ~0.3 s to plan 400 UNION branches, more
        # than the import spent on everything else in the batch).
        sql = (
            f"SELECT k.key, b.r FROM unnest(%s::bigint[], %s::int[]) AS k(key, cap) "  # noqa: S608
            f"CROSS JOIN LATERAL (SELECT person_record_id AS r FROM {table} "
            f"WHERE key = k.key LIMIT k.cap) AS b"
        )
        params: list[Any] = [list(keys), caps]
    else:
        selects = [
            f"SELECT k, r FROM (SELECT key AS k, person_record_id AS r FROM {table} "  # noqa: S608
            f"WHERE key = %s LIMIT %s) AS q{i}"
            for i in range(len(keys))
        ]
        sql = " UNION ALL ".join(selects)
        params = [v for key, cap in zip(keys, caps, strict=True) for v in (key, cap)]
    found: dict[int, list[int]] = defaultdict(list)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for key, record_id in cursor.fetchall():
            found[key].append(record_id)
    return found


# Keys per statement: one bounded index probe each, and well under SQLite's limits.
KEYS_PER_STATEMENT = 400


def candidates_find_many(keys: Mapping[int, KeyRule]) -> tuple[dict[int, list[int]], set[int]]:
    """Record ids sharing each key (a LIMIT per key keeps it bounded), and the
    frequency-capped ("rare") keys shared by more records than their cap, which find nothing,
    as in the batch path; any other key finds its first KEY_CAP records."""
    found: dict[int, list[int]] = {}
    over_cap: set[int] = set()
    for pairs in chunked(keys.items(), KEYS_PER_STATEMENT):
        chunk = dict(pairs)
        for key, record_ids in _keys_look_up(chunk).items():
            if chunk[key].rare and len(record_ids) > RARE_CAP:
                over_cap.add(key)
            else:
                found[key] = record_ids[:KEY_CAP]
    return found, over_cap


def candidates_find(keys: Mapping[int, KeyRule]) -> dict[int, list[int]]:
    """candidates_find_many without the capped keys."""
    return candidates_find_many(keys)[0] if keys else {}


@dataclass(frozen=True)
class Candidate:
    record_id: int
    person_id: int
    request_id: int
    profile: dict[str, Any]


def _current_candidates(**where: Any) -> list[Candidate]:
    """Records with a profile, each with its current person and request, in one query."""
    from .models import PersonLink

    rows = PersonLink.objects.filter(
        ended_at__isnull=True, person_record__match_profile__isnull=False, **where
    ).values_list(
        "person_record_id",
        "person_id",
        "person_record__request_id",
        "person_record__match_profile__data",
    )
    return [Candidate(r, p, q, frozen(profile)) for r, p, q, profile in rows]


def candidates_load(record_ids: Iterable[int]) -> dict[int, Candidate]:
    """Each record's profile, current person and request."""
    return {
        c.record_id: c
        for chunk in chunked(list(set(record_ids)), IDS_PER_STATEMENT)
        for c in _current_candidates(person_record_id__in=chunk)
    }


def request_members_load(request_ids: Iterable[int]) -> list[Candidate]:
    """The records of some stored requests (households) that can be matched at all."""
    ids = list(set(request_ids))
    if not ids:
        return []
    return _current_candidates(
        person_record__request_id__in=ids, person_record__match_profile__insufficient=False
    )


def clear_columns_load(
    record_ids: Iterable[int], columns: Iterable[str]
) -> dict[int, dict[str, Any]]:
    """Decrypt the identifiers of a few records and prepare them: the clear values of
    `columns`, for levels that compare by edit distance. Kept in memory only."""
    wanted = set(columns)
    ids = list(set(record_ids))
    if not ids or not wanted:
        return {}
    by_record: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for chunk in chunked(ids, IDS_PER_STATEMENT):
        for record_id, kind, encrypted in Identifier.objects.filter(
            person_record_id__in=chunk
        ).values_list("person_record_id", "kind", "value_as_written_encrypted"):
            by_record[record_id].append((kind, crypto.decrypt(encrypted)))
    clear: dict[int, dict[str, Any]] = {}
    for record_id in ids:
        row = record_row(PersonRecord(), by_record.get(record_id, []), record_id=str(record_id))
        prepared = record_prepare(row)
        clear[record_id] = {c: prepared.get(c) for c in wanted}
    return clear


def profiles_store(
    profiles: Mapping[int, tuple[dict[str, Any], bool]], rules: Sequence[KeyRule]
) -> int:
    """Save profiles and their blocking keys (insufficient records get no keys); returns keys."""
    # New records only (nothing stored yet to conflict with); the keys are the largest write
    # of intake (several a record): KEYS_BATCH rows a statement.
    MatchProfile.objects.bulk_create(
        [
            MatchProfile(person_record_id=record_id, data=profile, insufficient=insufficient)
            for record_id, (profile, insufficient) in profiles.items()
        ],
        batch_size=KEYS_BATCH,
    )
    keys = [
        BlockingKey(key=key, person_record_id=record_id)
        for record_id, (profile, insufficient) in profiles.items()
        if not insufficient
        for key in keys_of(profile, rules)
    ]
    BlockingKey.objects.bulk_create(keys, batch_size=KEYS_BATCH)
    # Name search keys for every record, insufficient ones too: a bare name is still searched.
    from .search_keys import search_keys_insert

    search_keys_insert({record_id: profile for record_id, (profile, _) in profiles.items()})
    return len(keys)
