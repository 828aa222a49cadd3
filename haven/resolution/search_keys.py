"""Name search keys: find a person however their name is typed, with the matcher's keys.

A name typed into the case search goes through the same normaliser as identity
resolution (`names.name_key`: transliteration, Arabic script, spacing, compound names),
so "Abdul Wahed Nori", "Abdulwahid" and "عبد الواحد" reach the records of
"عبدالواحد نوری". Each record's match profile (made once at intake, `blocking`) gives a
few *search keys*, each a 64-bit keyed hash in an indexed table (`NameSearchKey`):

- ``t``: one consonant token of the own name ("abdld", "nra");
- ``p``: two of them together, sorted ("abdld nra"): what a two-word search looks up,
  a few records even at a million people where one token alone may be shared by
  thousands;
- ``n``: the whole own name's consonants;
- ``f``: one consonant token of the father's name.

A search looks each of its keys up with a LIMIT (one statement, a bounded index probe
per key), and `name_score` ranks what it found against the spelling tokens with
rapidfuzz. Identifiers never come here: a profile keeps them only as keyed hashes and
no key is built from them.

Keys are derived data. `profiles_store` writes them with every new profile (intake, the
batch run's backfill); `search_keys_refresh(person_ids=..., record_ids=...)` rebuilds
them from the stored profiles for code that changes a profile in place (editing a
person); erasure deletes them.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.db import connection, transaction
from rapidfuzz.distance import Levenshtein

from haven.common.iterables import chunked

from . import names
from .models import MatchProfile, NameSearchKey, PersonLink

# Records read per key: enough to rank, bounded however common a name is. A single token
# of a longer query reads fewer: its pairs already found the people who have both.
PAIR_LIMIT = 120
TOKEN_LIMIT = 200
TOKEN_OF_MANY_LIMIT = 60
WHOLE_LIMIT = 200
LIKE_LIMIT = 100
# A query longer than this many name tokens looks up pairs of its first ones only.
MAX_QUERY_TOKENS = 5
# One- letter tokens ("P" of "P 1234 5678") say nothing about a name.
MIN_TOKEN = 2
IDS_PER_STATEMENT = 5000
# Rows per INSERT of keys (as blocking.KEYS_BATCH): an intake batch's in one or two.
KEYS_BATCH = 10_000


def _hash(kind: str, value: str) -> int:
    # The blocking keys' keyed hash, in its own namespace: one hash function to reason about.
    from .blocking import _as_bigint, _keyed

    return _as_bigint(_keyed(f"search:{kind}", value))


def _tokens(value: Any) -> list[str]:
    if not value:
        return []
    items = value.split() if isinstance(value, str) else list(value)
    return sorted({str(t) for t in items if len(str(t)) >= MIN_TOKEN})


def profile_search_keys(profile: Mapping[str, Any]) -> set[int]:
    """The search keys of one stored match profile (its name and father columns only)."""
    own = _tokens(profile.get("name_tokens"))
    keys = {_hash("t", token) for token in own}
    keys |= {_hash("p", f"{a} {b}") for a, b in itertools.combinations(own, 2)}
    if profile.get("name_cons"):
        keys.add(_hash("n", str(profile["name_cons"])))
    keys |= {_hash("f", token) for token in _tokens(profile.get("father_tokens"))}
    return keys


def search_keys_insert(profiles: Mapping[int, Mapping[str, Any]]) -> int:
    """Write the keys of new profiles (record id → profile); returns how many."""
    rows = [
        NameSearchKey(key=key, person_record_id=record_id)
        for record_id, profile in profiles.items()
        for key in profile_search_keys(profile)
    ]
    NameSearchKey.objects.bulk_create(rows, batch_size=KEYS_BATCH)
    return len(rows)


def search_keys_delete(record_ids: Iterable[int]) -> None:
    for chunk in chunked(list(record_ids), IDS_PER_STATEMENT):
        NameSearchKey.objects.filter(person_record_id__in=chunk).delete()


@transaction.atomic
def search_keys_refresh(*, person_ids: Iterable[int] = (), record_ids: Iterable[int] = ()) -> int:
    """Rebuild the search keys of these people's current records (and of these records)
    from their stored match profiles: call it after changing a profile in place, e.g.
    when a person's names are edited. Returns how many keys were written."""
    wanted = set(record_ids)
    people = list(set(person_ids))
    for chunk in chunked(people, IDS_PER_STATEMENT):
        wanted.update(
            PersonLink.objects.filter(person_id__in=chunk, ended_at__isnull=True).values_list(
                "person_record_id", flat=True
            )
        )
    written = 0
    for chunk in chunked(sorted(wanted), IDS_PER_STATEMENT):
        search_keys_delete(chunk)
        profiles = dict(
            MatchProfile.objects.filter(person_record_id__in=chunk).values_list(
                "person_record_id", "data"
            )
        )
        written += search_keys_insert(profiles)
    return written


# --- searching -------------------------------------------------------------------------------


@dataclass(frozen=True)
class NameQuery:
    """What a typed name is to the matcher: spelling and consonant tokens."""

    spellings: tuple[str, ...]
    consonants: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.spellings)


def name_query(text: str) -> NameQuery:
    own, father = names.patronymic_split(text)
    key = names.join(names.name_key(own), names.name_key(father))
    pairs = [(s, c) for s, c in zip(key.tokens, key.consonants, strict=True) if len(s) >= 2]
    pairs = list(dict.fromkeys(pairs))[:MAX_QUERY_TOKENS]
    return NameQuery(tuple(s for s, _ in pairs), tuple(c for _, c in pairs))


def query_keys(query: NameQuery) -> list[tuple[int, int]]:
    """(key, how many records to read) for a name query: pairs first, then single tokens."""
    consonants = sorted(set(query.consonants))
    keys: dict[int, int] = {}
    if len(consonants) > 1:
        keys[_hash("n", " ".join(consonants))] = WHOLE_LIMIT
    for a, b in itertools.combinations(consonants, 2):
        keys[_hash("p", f"{a} {b}")] = PAIR_LIMIT
    single = TOKEN_LIMIT if len(consonants) == 1 else TOKEN_OF_MANY_LIMIT
    for token in consonants:
        keys.setdefault(_hash("t", token), single)
        keys.setdefault(_hash("f", token), single // 2)
    return list(keys.items())


def records_by_keys(
    keys: Sequence[tuple[int, int]], *, likes: Sequence[str] = ()
) -> tuple[set[int], set[int]]:
    """Record ids sharing any key (newest first per key, each read bounded by its limit),
    and, for each LIKE pattern, up to LIKE_LIMIT records whose names as written match it:
    (all found, those found by a pattern), in one statement. Hand-written: a UNION of
    LIMITed index probes, which the ORM cannot say."""
    from haven.intake.models import PersonRecord

    quote = connection.ops.quote_name
    table, records = quote(NameSearchKey._meta.db_table), quote(PersonRecord._meta.db_table)
    selects: list[str] = []
    params: list[int | str] = []
    for i, (key, limit) in enumerate(keys):
        selects.append(
            f"SELECT r, 0 AS l FROM (SELECT person_record_id AS r FROM {table} "  # noqa: S608
            f"WHERE key = %s ORDER BY person_record_id DESC LIMIT %s) AS k{i}"
        )
        params += [key, limit]
    for i, pattern in enumerate(likes):
        selects.append(
            f"SELECT r, 1 AS l FROM (SELECT id AS r FROM {records} "  # noqa: S608
            f"WHERE search_text LIKE %s ESCAPE '!' LIMIT %s) AS s{i}"
        )
        params += [pattern, LIKE_LIMIT]
    if not selects:
        return set(), set()
    found: set[int] = set()
    by_like: set[int] = set()
    with connection.cursor() as cursor:
        cursor.execute(" UNION ".join(selects), params)
        for record_id, from_like in cursor.fetchall():
            found.add(record_id)
            if from_like:
                by_like.add(record_id)
    return found, by_like


def like_pattern(variant: str) -> str:
    """A contains-pattern for `records_by_keys`, its wildcards escaped with "!"."""
    escaped = variant.replace("!", "!!").replace("%", "!%").replace("_", "!_")
    return f"%{escaped}%"


# --- ranking ---------------------------------------------------------------------------------


def _token_score(spelling: str, consonant: str, candidates: Sequence[tuple[str, str]]) -> float:
    best = 0.0
    for c_spelling, c_consonant in candidates:
        if spelling == c_spelling:
            return 1.0
        if consonant == c_consonant:
            score = 0.95  # Latin and Arabic spellings of one name meet here
        elif len(spelling) >= 3 and c_spelling.startswith(spelling):
            score = 0.85  # typed the first part of a name
        else:
            score = 0.9 * Levenshtein.normalized_similarity(spelling, c_spelling)
        best = max(best, score)
    return best


@lru_cache(maxsize=100_000)
def _candidate_tokens(spelling_key: str | None) -> tuple[tuple[str, str], ...]:
    """A profile's sorted spelling key as (spelling, consonant) tokens: the consonant key
    of each token, as `names.name_key` makes it (kept apart in the profile, sorted)."""
    return tuple((t, names.consonant_key(t)) for t in (spelling_key or "").split())


def name_score(query: NameQuery, name_key: str | None, father_key: str | None = None) -> float:
    """How well a record's names (its profile's sorted spelling keys) answer the query, 0–1.

    Every query token finds its best token in the own name (or, for less, in the
    father's); a name with more words than were typed scores a little lower, so
    "Abdulwahid" ranks the person called just that above "Abdulwahid Nori"."""
    if not query:
        return 0.0
    own = _candidate_tokens(name_key)
    father = _candidate_tokens(father_key)
    total, used = 0.0, 0
    for spelling, consonant in zip(query.spellings, query.consonants, strict=True):
        in_own = _token_score(spelling, consonant, own)
        in_father = 0.8 * _token_score(spelling, consonant, father)
        total += max(in_own, in_father)
        used += in_own >= in_father and in_own >= 0.8
    score = total / len(query.spellings)
    if own:
        score *= 0.9 + 0.1 * min(1.0, used / len(own))
    return score
