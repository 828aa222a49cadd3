"""Benchmark: real-time candidate look-up and scoring per incoming record, on PostgreSQL.

Creates a fresh database, fills it with N existing people (held-out generator: each
person written one to four times, with identifiers encrypted and hashed as intake
stores them, profiles and blocking keys as the intake step stores them), then times,
for each of --probes incoming records (half re-submissions of stored rows, half new
people), what intake waits for before it writes: preparation, blocking keys, the
candidate look-up (one statement), candidate profiles (one statement), identifiers
when an edit-distance level needs them, and scoring. Prints p50/p95/p99.

    .venv/bin/python bench/resolution/realtime.py --people 100000
    .venv/bin/python bench/resolution/realtime.py --people 1000000
    .venv/bin/python bench/resolution/realtime.py --people 1000000 --reuse   # keep the data

Target (issue 4): p95 under 50 ms at 1,000,000 people. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
PG = {"host": "127.0.0.1", "port": "5432", "user": "postgres"}


def psql(database: str, sql: str) -> str:
    done = subprocess.run(
        [
            "psql",
            "-h",
            PG["host"],
            "-p",
            PG["port"],
            "-U",
            PG["user"],
            "-d",
            database,
            "-v",
            "ON_ERROR_STOP=1",
            "-tAc",
            sql,
        ],
        check=True,
        text=True,
        capture_output=True,
    )
    return done.stdout.strip()


def database_url(name: str) -> str:
    return f"postgres://{PG['user']}@{PG['host']}:{PG['port']}/{name}"


def populate(n_people: int, *, chunk: int = 20_000) -> int:
    import datetime as dt

    from django.db import connection
    from django.utils import timezone

    from haven.common import crypto
    from haven.intake import normalize
    from haven.intake.models import Identifier, PersonRecord, Request
    from haven.resolution import blocking, heldout
    from haven.resolution.models import MatchProfile, Person, PersonLink
    from haven.resolution.records import INSUFFICIENT, record_prepare

    rules = blocking.packaged_key_rules()
    kinds = {
        "passport_number": "passport",
        "tazkira_number": "e_tazkira",
        "phone": "phone",
        "email": "email",
        "siv_case_number": "siv_case",
    }
    now = timezone.now()
    rows = heldout.heldout_records(n_people, seed=2021)
    made = 0
    started = time.perf_counter()
    request_id = record_id = person_id = 0
    person_of_truth: dict[str, int] = {}
    while made < n_people:
        batch = [r for _, r in zip(range(chunk), rows, strict=False)]
        if not batch:
            break
        requests, records, people, links, profiles, identifiers, keys = [], [], [], [], [], [], []
        for i, row in enumerate(batch):
            if i % 10 == 0:
                request_id += 1
                requests.append(
                    Request(
                        id=request_id,
                        receipt_number=f"HV-B{request_id:09d}",
                        channel="spreadsheet",
                        received_at=now,
                        raw_input="bench",
                        status_secret_hash="x",
                    )
                )
            record_id += 1
            record = PersonRecord(
                id=record_id,
                request_id=request_id,
                position=i % 10,
                full_name=row.get("full_name", ""),
                given_name=row.get("given_name", ""),
                family_name=row.get("family_name", ""),
                father_name=row.get("father_name", ""),
                sex=row.get("sex", ""),
                dob_as_written=row.get("date_of_birth", "")[:50],
                province=row.get("province", ""),
                flags=[],
            )
            records.append(record)
            for column, kind in kinds.items():
                value = row.get(column) or ""
                if value:
                    parsed = normalize.normalize_identifier(kind, value)
                    identifiers.append(
                        Identifier(
                            person_record_id=record_id,
                            kind=kind,
                            value_as_written_encrypted=crypto.encrypt(value),
                            normalized_encrypted=crypto.encrypt(parsed.normalized),
                            value_hash=crypto.keyed_hash(kind, parsed.normalized),
                        )
                    )
            prepared = record_prepare(row, today=dt.date(2021, 9, 1))
            # The truth says who is who: link duplicates to one person, as resolution would.
            truth = row["person_id"]
            if truth not in person_of_truth:
                person_id += 1
                person_of_truth[truth] = person_id
                people.append(Person(id=person_id, display_name=record.display_name[:300]))
            links.append(
                PersonLink(
                    person_record_id=record_id,
                    person_id=person_of_truth[truth],
                    method="rule",
                    rule="bench",
                )
            )
            profile = blocking.profile_build(prepared)
            insufficient = INSUFFICIENT in prepared["flags"]
            profiles.append(
                MatchProfile(person_record_id=record_id, data=profile, insufficient=insufficient)
            )
            if not insufficient:
                keys.extend((key, record_id) for key in blocking.keys_of(profile, rules))
        Request.objects.bulk_create(requests)
        PersonRecord.objects.bulk_create(records)
        Identifier.objects.bulk_create(identifiers)
        Person.objects.bulk_create(people)
        PersonLink.objects.bulk_create(links)
        MatchProfile.objects.bulk_create(profiles)
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(
                "COPY resolution_blockingkey (key, person_record_id) FROM STDIN"
            ) as copy,
        ):
            for key in set(keys):
                copy.write_row(key)
        made += len(batch)
        rate = made / (time.perf_counter() - started)
        print(f"  {made:,} records ({rate:,.0f}/s)", flush=True)
    with connection.cursor() as cursor:
        for table in ("intake_request", "intake_personrecord", "resolution_person"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
        cursor.execute("ANALYZE")
    return made


def probes(n: int, existing: int) -> list[dict[str, str]]:
    from haven.resolution import heldout

    rng = random.Random(5)
    stored = list(heldout.heldout_records(min(existing, 200_000), seed=2021))
    fresh = list(heldout.heldout_records(n, seed=99))
    chosen = [rng.choice(stored) for _ in range(n // 2)] + fresh[: n - n // 2]
    rng.shuffle(chosen)
    return chosen


def measure(rows: list[dict[str, str]]) -> tuple[list[float], list[int]]:
    import datetime as dt

    from django.db import connection

    from haven.resolution import blocking, pipeline
    from haven.resolution.realtime import packaged_scorer
    from haven.resolution.records import INSUFFICIENT, record_prepare

    scorer = packaged_scorer()
    rules = blocking.packaged_key_rules()
    timings, candidates = [], []
    connection.ensure_connection()
    for i, row in enumerate(rows):
        started = time.perf_counter()
        prepared = {-1: record_prepare(row, today=dt.date(2021, 9, 1))}
        profiles = {-1: blocking.profile_build(prepared[-1])}
        eligible = [] if INSUFFICIENT in prepared[-1]["flags"] else [-1]
        _options, found = pipeline.candidates_score(
            prepared=prepared,
            profiles=profiles,
            eligible=eligible,
            request_id=-1,
            scorer=scorer,
            rules=rules,
        )
        elapsed = time.perf_counter() - started
        if i >= 20:  # the first few warm caches and the connection
            timings.append(elapsed * 1000)
            candidates.append(len(found))
    return timings, candidates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000, help="person records stored")
    parser.add_argument("--probes", type=int, default=2_000)
    parser.add_argument("--database", default="haven_bench_resolution")
    parser.add_argument("--reuse", action="store_true", help="keep an existing bench database")
    args = parser.parse_args()

    url = database_url(args.database)
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "haven.config.settings"}
    exists = psql("postgres", f"SELECT 1 FROM pg_database WHERE datname = '{args.database}'")
    if not (args.reuse and exists):
        psql("postgres", f'DROP DATABASE IF EXISTS "{args.database}"')
        psql("postgres", f'CREATE DATABASE "{args.database}"')
        subprocess.run(
            [str(ROOT / ".venv/bin/haven"), "migrate", "--noinput", "-v0"], env=env, check=True
        )
    os.environ.update(DATABASE_URL=url, DJANGO_SETTINGS_MODULE="haven.config.settings")
    import django

    django.setup()
    from haven.intake.models import PersonRecord

    stored = PersonRecord.objects.count()
    if not (args.reuse and stored):
        print(f"Storing {args.people:,} person records…", flush=True)
        started = time.perf_counter()
        stored = populate(args.people)
        print(f"Stored {stored:,} in {time.perf_counter() - started:.0f} s")
    size = psql(
        args.database, "SELECT pg_size_pretty(pg_total_relation_size('resolution_blockingkey'))"
    )
    keys = psql(args.database, "SELECT count(*) FROM resolution_blockingkey")
    rows = probes(args.probes, stored)
    timings, candidates = measure(rows)
    timings.sort()

    def pct(p: float) -> float:
        return timings[min(len(timings) - 1, int(p * len(timings)))]

    print(
        f"{stored:,} person records, {int(keys):,} blocking keys ({size}); "
        f"{len(timings):,} incoming records timed"
    )
    print(
        f"look-up + scoring per record: p50 {pct(0.50):.1f} ms, p95 {pct(0.95):.1f} ms, "
        f"p99 {pct(0.99):.1f} ms, mean {statistics.mean(timings):.1f} ms; "
        f"candidates per record: mean {statistics.mean(candidates):.1f}, max {max(candidates)}"
    )


if __name__ == "__main__":
    main()
