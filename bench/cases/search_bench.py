"""Benchmark: the case search (names the matcher's way, numbers by keyed hash) on PostgreSQL.

Fills a database once with N person records as intake stores them (the held-out
generator of bench/resolution/realtime.py: each person written one to four times, names
in several spellings, identifiers encrypted and hashed), with what the pipeline makes of
them: people and links, match profiles, blocking keys, name search keys, one case per
household with its members and one request per household, a requester per request whose
contact (the household's phone) is kept encrypted with its keyed hash. Then times, for
--probes search terms, the whole page a caseworker waits for: the list page at
?search=<id> through Django's test client (session, second factor, the audited search,
the ranked query, the table), and separately the ranking alone
(`cases.search_rank.case_search_ranks`). Prints p50/p95/p99 with the load average.

The terms: a stored person's name as written, their given name alone, the name with a
spelling changed (vowels, w/v, joined or split), their father's name, a stored phone
written another way, a receipt number, and names nobody has. For each it says how often
the household meant was on the first page (25 cases), and when it was not, whether the
page held only cases matching at least as well (the generator's names repeat: at a million
a full name is shared by hundreds of records) or missed it.

    flock /work/team/bench.lock .venv/bin/python bench/cases/search_bench.py \
        --records 1000000 --database case-search_bench --reuse

A database is reused (--reuse) only if its fill finished (marked in its comment).
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
_spec = importlib.util.spec_from_file_location(
    "realtime_bench", ROOT / "bench/resolution/realtime.py"
)
assert _spec and _spec.loader
realtime = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(realtime)

TABLES = (
    ("intake", "Requester"),
    ("intake", "Request"),
    ("intake", "PersonRecord"),
    ("intake", "Identifier"),
    ("resolution", "Person"),
    ("resolution", "PersonLink"),
    ("resolution", "MatchProfile"),
    ("resolution", "BlockingKey"),
    ("resolution", "NameSearchKey"),
    ("cases", "Case"),
    ("cases", "CaseMember"),
    ("cases", "CaseRequest"),
)
FILLED = "haven bench case search: filled with"
CHUNK = 10_000
WORKERS = 2
IN_FLIGHT = 4
Item = tuple[int, int, int, bool, dict[str, str]]  # record, household, person, new, row


def _households(n_records: int) -> Iterator[list[Item]]:
    """Held-out rows with their ids, in chunks that end on a household's last record."""
    from haven.resolution import heldout

    person_of_truth: dict[str, int] = {}
    chunk: list[Item] = []
    last_household = ""
    for index, row in enumerate(heldout.heldout_records(n_records, seed=2021)):
        if len(chunk) >= CHUNK and row["household_id"] != last_household:
            yield chunk
            chunk = []
        last_household = row["household_id"]
        truth = row["person_id"]
        new_person = truth not in person_of_truth
        if new_person:
            person_of_truth[truth] = len(person_of_truth) + 1
        household = int(row["household_id"].lstrip("H"))
        chunk.append((index + 1, household, person_of_truth[truth], new_person, row))
    if chunk:
        yield chunk


def _chunk_store(chunk: list[Item]) -> int:
    import datetime as dt

    from django.apps import apps
    from django.db import connection, transaction
    from django.utils import timezone

    from haven.common import crypto
    from haven.intake import normalize
    from haven.resolution import blocking, search_keys
    from haven.resolution.records import INSUFFICIENT, record_prepare

    model = {name: apps.get_model(app, name) for app, name in TABLES}
    now = timezone.now()
    rules = blocking.packaged_key_rules()
    table = realtime._Table
    requesters = table(
        model["Requester"], ("id", "contact", "contact_hash"), {"kind": "applicant"}, now
    )
    requests = table(
        model["Request"],
        ("id", "receipt_number", "requester_id"),
        {
            "channel": "spreadsheet",
            "received_at": now,
            "raw_input": crypto.encrypt("bench"),
            "status_secret_hash": "x",
        },
        now,
    )
    records = table(
        model["PersonRecord"],
        (
            "id",
            "request_id",
            "position",
            "full_name",
            "given_name",
            "family_name",
            "father_name",
            "sex",
            "dob_as_written",
            "province",
            "search_text",
        ),
        {"flags": []},
        now,
    )
    identifiers = table(
        model["Identifier"],
        (
            "person_record_id",
            "kind",
            "value_as_written_encrypted",
            "normalized_encrypted",
            "value_hash",
        ),
        {},
        now,
    )
    people = table(model["Person"], ("id", "display_name"), {}, now)
    links = table(model["PersonLink"], ("person_record_id", "person_id"), {"method": "rule"}, now)
    profiles = table(model["MatchProfile"], ("person_record_id", "data", "insufficient"), {}, now)
    keys = table(model["BlockingKey"], ("key", "person_record_id"), {}, now)
    name_keys = table(model["NameSearchKey"], ("key", "person_record_id"), {}, now)
    cases = table(model["Case"], ("id", "display_name", "principal_id"), {}, now)
    members = table(model["CaseMember"], ("case_id", "person_id", "relationship"), {}, now)
    case_requests = table(model["CaseRequest"], ("case_id", "request_id"), {}, now)
    principal_of: dict[int, int] = {}
    seen_members: set[tuple[int, int]] = set()
    for record_id, household, person_id, new_person, row in chunk:
        full_name, given, family, father = (
            row.get(c, "") for c in ("full_name", "given_name", "family_name", "father_name")
        )
        display = (full_name or " ".join(p for p in (given, family) if p))[:300]
        if household not in principal_of:
            principal_of[household] = person_id
            contact = row.get("phone", "")
            requesters.add(household, crypto.encrypt(contact), normalize.contact_hash(contact))
            digits = f"{household:010d}"
            requests.add(household, f"HV-{digits[:5]}-{digits[5:]}", household)
            cases.add(household, display, person_id)
            case_requests.add(household, household)
        records.add(
            record_id,
            household,
            record_id % 100,
            full_name,
            given,
            family,
            father,
            row.get("sex", ""),
            row.get("date_of_birth", "")[:50],
            row.get("province", ""),
            normalize.search_text(full_name, given, family, father)[:700],
        )
        for column, kind in realtime.IDENTIFIER_KINDS.items():
            value = row.get(column) or ""
            if value:
                parsed = normalize.normalize_identifier(kind, value)
                identifiers.add(
                    record_id,
                    kind,
                    crypto.encrypt(value),
                    crypto.encrypt(parsed.normalized),
                    crypto.keyed_hash(kind, parsed.normalized),
                )
        if new_person:
            people.add(person_id, display)
        if (household, person_id) not in seen_members:
            seen_members.add((household, person_id))
            relationship = "principal" if principal_of[household] == person_id else "other"
            members.add(household, person_id, relationship)
        links.add(record_id, person_id)
        prepared = record_prepare(row, today=dt.date(2021, 9, 1))
        profile = blocking.profile_build(prepared)
        insufficient = INSUFFICIENT in prepared["flags"]
        profiles.add(record_id, json.dumps(profile), insufficient)
        if not insufficient:
            for key in blocking.keys_of(profile, rules):
                keys.add(key, record_id)
        for key in search_keys.profile_search_keys(json.loads(json.dumps(profile))):
            name_keys.add(key, record_id)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit TO off")
        for part in (
            requesters,
            requests,
            records,
            identifiers,
            people,
            links,
            profiles,
            keys,
            name_keys,
            cases,
            members,
            case_requests,
        ):
            part.copy(cursor.cursor)
    return len(chunk)


def populate(n_records: int) -> int:
    import multiprocessing

    from django.apps import apps
    from django.db import connection, connections

    tables = [apps.get_model(app, name)._meta.db_table for app, name in TABLES]
    with connection.cursor() as cursor:
        extras = realtime._schema_extras(cursor, tables)
        for drop, _create in reversed(extras):
            cursor.execute(drop)
    connections.close_all()
    started = time.perf_counter()
    made = 0
    pending: list[Any] = []
    with multiprocessing.get_context("fork").Pool(WORKERS) as pool:
        for chunk in _households(n_records):
            pending.append(pool.apply_async(_chunk_store, (chunk,)))
            while len(pending) >= IN_FLIGHT or (pending and pending[0].ready()):
                made += pending.pop(0).get()
                if made // CHUNK % 10 == 0:
                    print(f"  {made:,} records ({made / (time.perf_counter() - started):,.0f}/s)")
        for result in pending:
            made += result.get()
    print(f"  {made:,} records copied in {time.perf_counter() - started:.0f} s", flush=True)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem TO '1GB'")
        for _drop, create in extras:
            cursor.execute(create)
        print(f"  {len(extras)} indexes and constraints in {time.perf_counter() - started:.0f} s")
        for name in ("intake_requester", "intake_request", "intake_personrecord",
                     "resolution_person", "cases_case"):  # fmt: skip
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                f"coalesce((SELECT max(id) FROM {name}), 1))"
            )
        cursor.execute(f"VACUUM (ANALYZE) {', '.join(tables)}")
    return made


# --- the terms -------------------------------------------------------------------------------

_RESPELL = (("a", "e"), ("u", "o"), ("w", "v"), ("ee", "i"), ("oo", "u"), ("i", "ee"))


def _respelt(name: str, rng: random.Random) -> str:
    words = name.split()
    for old, new in rng.sample(_RESPELL, len(_RESPELL)):
        for i, word in enumerate(words):
            if old in word[1:]:
                words[i] = word[0] + word[1:].replace(old, new, 1)
                return " ".join(words)
    return name


def _name_of(row: dict[str, str]) -> str:
    return row.get("full_name") or " ".join(
        p for p in (row.get("given_name", ""), row.get("family_name", "")) if p
    )


def terms(n: int, stored: int) -> list[tuple[str, str, int]]:
    """(kind, term, household meant or 0) for n searches."""
    from haven.resolution import heldout

    rng = random.Random(15)
    rows = list(heldout.heldout_records(min(stored, 300_000), seed=2021))
    chosen: list[tuple[str, str, int]] = []
    kinds = ["name", "name", "given", "respelt", "respelt", "joined", "father", "phone",
             "receipt", "nobody"]  # fmt: skip
    while len(chosen) < n:
        kind = kinds[len(chosen) % len(kinds)]
        row = rng.choice(rows)
        household = int(row["household_id"].lstrip("H"))
        name = _name_of(row)
        if kind == "name" and name:
            chosen.append((kind, name, household))
        elif kind == "given" and row.get("given_name"):
            chosen.append((kind, row["given_name"], household))
        elif kind == "respelt" and name:
            chosen.append((kind, _respelt(name, rng), household))
        elif kind == "joined" and len(name.split()) > 1:
            chosen.append((kind, name.replace(" ", "", 1), household))
        elif kind == "father" and row.get("father_name"):
            chosen.append((kind, row["father_name"], household))
        elif kind == "phone" and row.get("phone"):
            digits = "".join(c for c in row["phone"] if c.isdigit())
            chosen.append((kind, " ".join([digits[:3], digits[3:6], digits[6:]]), household))
        elif kind == "receipt":
            chosen.append((kind, f"hv {household:010d}", household))
        elif kind == "nobody":
            chosen.append((kind, rng.choice(["Zzyzx Qwerty", "Blorptan", "Xanthippe Vrool"]), 0))
    return chosen


def measure(searches: list[tuple[str, str, int]]) -> dict[str, Any]:
    from django.conf import settings
    from django.urls import reverse

    from haven.accounts.models import Role, User
    from haven.cases import search_rank

    sys.path.insert(0, str(ROOT))
    from haven.conftest import verified_client

    settings.ALLOWED_HOSTS = ["testserver"]
    user, _ = User.objects.get_or_create(
        username="bench-search", defaults={"role": Role.CASEWORKER}
    )
    client = verified_client(user)
    url = reverse("cases:list")
    page_ms: list[float] = []
    rank_ms: list[float] = []
    found: dict[str, list[bool]] = {}
    for i, (kind, term, household) in enumerate(searches):
        started = time.perf_counter()
        location = client.post(url, {"q": term})["Location"]
        response = client.get(location)
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, response.status_code
        started = time.perf_counter()
        ranks = search_rank.case_search_ranks(term)
        ranked = (time.perf_counter() - started) * 1000
        if i >= 10:  # the first warm the caches and the connection
            page_ms.append(elapsed)
            rank_ms.append(ranked)
            if household:
                found.setdefault(kind, []).append(_page_verdict(term, household, ranks))
    # For comparison: the same page without a search (the list's own cost under this load).
    plain_ms = []
    for _ in range(60):
        started = time.perf_counter()
        assert client.get(url).status_code == 200
        plain_ms.append((time.perf_counter() - started) * 1000)
    return {"page": page_ms, "rank": rank_ms, "found": found, "plain": plain_ms[10:]}


def _page_verdict(term: str, household: int, ranks: dict[int, float]) -> str:
    """ "meant": the household meant is on the first page; "as good": it is not, but every
    case there matches at least as well (its namesakes); "missed": otherwise."""
    from haven.cases.models import CaseMember
    from haven.resolution import search_keys

    page = list(ranks.items())[:25]
    if household in dict(page):
        return "meant"
    query = search_keys.name_query(term)
    names = CaseMember.objects.filter(
        case_id=household, person__links__ended_at__isnull=True
    ).values_list(
        "person__links__person_record__match_profile__data__name_key",
        "person__links__person_record__match_profile__data__father_key",
    )
    meant = max((search_keys.name_score(query, n, f) for n, f in names), default=0.0)
    if len(page) == 25 and page[-1][1] >= meant - 1e-9:
        return "as good"
    return "missed"


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000, help="person records stored")
    parser.add_argument("--probes", type=int, default=500)
    parser.add_argument("--database", default="case-search_bench")
    parser.add_argument("--reuse", action="store_true", help="keep an existing bench database")
    args = parser.parse_args()

    psql, url = realtime.psql, realtime.database_url(args.database)
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "haven.config.settings"}
    exists = psql("postgres", f"SELECT 1 FROM pg_database WHERE datname = '{args.database}'")
    migrate = [str(ROOT / ".venv/bin/haven"), "migrate", "--noinput", "-v0"]
    if not (args.reuse and exists):
        psql("postgres", f'DROP DATABASE IF EXISTS "{args.database}"')
        psql("postgres", f'CREATE DATABASE "{args.database}"')
        subprocess.run(migrate, env=env, check=True)
    else:
        subprocess.run(migrate, env=env, check=True)  # a newer migration, if any
    os.environ.update(DATABASE_URL=url, DJANGO_SETTINGS_MODULE="haven.config.settings")
    import django

    django.setup()
    from haven.intake.models import PersonRecord

    comment = psql(
        args.database,
        "SELECT coalesce(shobj_description(oid, 'pg_database'), '') FROM pg_database "
        "WHERE datname = current_database()",
    )
    stored = PersonRecord.objects.count()
    if not (args.reuse and stored and comment.startswith(FILLED)):
        if stored:
            psql(args.database, "DROP SCHEMA public CASCADE; CREATE SCHEMA public")
            subprocess.run(migrate, env=env, check=True)
        print(f"Storing {args.records:,} person records…", flush=True)
        started = time.perf_counter()
        stored = populate(args.records)
        print(f"Stored {stored:,} in {time.perf_counter() - started:.0f} s", flush=True)
        psql("postgres", f"COMMENT ON DATABASE \"{args.database}\" IS '{FILLED} {stored}'")
    name_keys = psql(args.database, "SELECT count(*) FROM resolution_namesearchkey")
    size = psql(
        args.database, "SELECT pg_size_pretty(pg_total_relation_size('resolution_namesearchkey'))"
    )
    cases = psql(args.database, "SELECT count(*) FROM cases_case")
    searches = terms(args.probes, stored)
    load_before = Path("/proc/loadavg").read_text().split()[:3]
    result = measure(searches)
    load_after = Path("/proc/loadavg").read_text().split()[:3]
    page, rank = result["page"], result["rank"]
    print(
        f"{stored:,} person records, {int(cases):,} cases, {int(name_keys):,} name search keys "
        f"({size}); {len(page):,} searches timed"
    )
    print(
        f"whole page (POST + GET ?search=): p50 {_pct(page, 0.5):.1f} ms, "
        f"p95 {_pct(page, 0.95):.1f} ms, p99 {_pct(page, 0.99):.1f} ms, "
        f"mean {statistics.mean(page):.1f} ms"
    )
    print(
        f"ranking alone (case_search_ranks): p50 {_pct(rank, 0.5):.1f} ms, "
        f"p95 {_pct(rank, 0.95):.1f} ms, p99 {_pct(rank, 0.99):.1f} ms"
    )
    plain = result["plain"]
    print(
        f"the list without a search, for comparison: p50 {_pct(plain, 0.5):.1f} ms, "
        f"p95 {_pct(plain, 0.95):.1f} ms"
    )
    for kind, verdicts in sorted(result["found"].items()):
        counts = {v: verdicts.count(v) for v in ("meant", "as good", "missed")}
        print(
            f"  {kind}: the household meant on the first page {counts['meant']}/{len(verdicts)}, "
            f"not there but only as good matches (namesakes) {counts['as good']}, "
            f"missed {counts['missed']}"
        )
    print(f"load average before {' '.join(load_before)}, after {' '.join(load_after)}")


if __name__ == "__main__":
    main()
