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

The fill writes the rows intake would (same preparation, profile_build, keys_of), but
with COPY in chunks of 10,000 records prepared by two worker processes, the tables'
indexes, unique constraints and foreign keys dropped during the load and rebuilt after
it (primary keys stay), then VACUUM ANALYZE. A database is reused only if its fill
finished (marked in the database's comment).

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
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

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


# --- filling: COPY in large batches, prepared in two processes, indexes built after -------

# The tables the fill writes: the intake rows (requests, records, encrypted identifiers), the
# people and links resolution would make, and the profiles and keys the look-up reads.
TABLES = (
    ("intake", "Request"),
    ("intake", "PersonRecord"),
    ("intake", "Identifier"),
    ("resolution", "Person"),
    ("resolution", "PersonLink"),
    ("resolution", "MatchProfile"),
    ("resolution", "BlockingKey"),
)
IDENTIFIER_KINDS = {
    "passport_number": "passport",
    "tazkira_number": "e_tazkira",
    "phone": "phone",
    "email": "email",
    "siv_case_number": "siv_case",
}
RECORDS_PER_REQUEST = 10
FILLED = "haven bench resolution: filled with"
CHUNK = 10_000  # records per task: one transaction, one COPY per table
WORKERS = 2
IN_FLIGHT = 4  # chunks queued at once (bounds the memory of the generated rows)


class _Table:
    """COPY rows of one model: every concrete column, the ones not given as their model default
    (what Model(...) and bulk_create would write), the auto ids from the sequence."""

    def __init__(self, model: Any, given: Sequence[str], fixed: dict[str, Any], now: Any):
        import json

        from django.db import models

        self.model, self.template, self.columns = model, [], []
        positions = {}
        for field in model._meta.concrete_fields:
            if isinstance(field, models.AutoField) and field.attname not in given:
                continue  # from the sequence, as bulk_create leaves it
            positions[field.attname] = len(self.columns)
            self.columns.append(field.column)
            if field.attname in fixed:
                value = fixed[field.attname]
            elif getattr(field, "auto_now_add", False) or getattr(field, "auto_now", False):
                value = now
            else:
                value = field.get_default()
            if isinstance(field, models.JSONField) and value is not None:
                value = json.dumps(value)
            self.template.append(value)
        self.given = [positions[name] for name in given]
        self.rows: list[tuple[Any, ...]] = []

    def add(self, *values: Any) -> None:
        row = list(self.template)
        for position, value in zip(self.given, values, strict=True):
            row[position] = value
        self.rows.append(tuple(row))

    def copy(self, cursor: Any) -> None:
        from psycopg import sql

        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(self.model._meta.db_table),
            sql.SQL(", ").join(map(sql.Identifier, self.columns)),
        )
        with cursor.copy(statement) as copy:
            for row in self.rows:
                copy.write_row(row)


def _chunk_store(chunk: list[tuple[int, int, int, int, bool, dict[str, str]]]) -> int:
    """Prepare and store one chunk of records (in a worker process); returns its records.

    Each item: record id, request id, position in the request, person id, whether that person
    is new here, and the held-out row. What is stored is what the intake step stores for the
    row: identifiers encrypted and hashed, the profile (blocking.profile_build) and its keys
    (blocking.keys_of; none for an insufficient record).
    """
    import datetime as dt
    import json

    from django.apps import apps
    from django.db import connection, transaction
    from django.utils import timezone

    from haven.common import crypto
    from haven.intake import normalize
    from haven.resolution import blocking
    from haven.resolution.records import INSUFFICIENT, record_prepare

    model = {name: apps.get_model(app, name) for app, name in TABLES}
    now = timezone.now()
    rules = blocking.packaged_key_rules()
    requests = _Table(
        model["Request"],
        ("id", "receipt_number"),
        {
            "channel": "spreadsheet",
            "received_at": now,
            "raw_input": crypto.encrypt("bench"),  # as the field stores it: encrypted
            "status_secret_hash": "x",
        },
        now,
    )
    records = _Table(
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
        ),
        {"flags": []},
        now,
    )
    identifiers = _Table(
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
    people = _Table(model["Person"], ("id", "display_name"), {}, now)
    links = _Table(
        model["PersonLink"],
        ("person_record_id", "person_id"),
        {"method": "rule", "rule": "bench"},
        now,
    )
    profiles = _Table(model["MatchProfile"], ("person_record_id", "data", "insufficient"), {}, now)
    keys = _Table(model["BlockingKey"], ("key", "person_record_id"), {}, now)
    for record_id, request_id, position, person_id, new_person, row in chunk:
        if position == 0:
            requests.add(request_id, f"HV-B{request_id:09d}")
        full_name, given, family = (
            row.get(c, "") for c in ("full_name", "given_name", "family_name")
        )
        records.add(
            record_id,
            request_id,
            position,
            full_name,
            given,
            family,
            row.get("father_name", ""),
            row.get("sex", ""),
            row.get("date_of_birth", "")[:50],
            row.get("province", ""),
        )
        for column, kind in IDENTIFIER_KINDS.items():
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
            display = full_name or " ".join(p for p in (given, family) if p)
            people.add(person_id, display[:300])
        links.add(record_id, person_id)
        prepared = record_prepare(row, today=dt.date(2021, 9, 1))
        profile = blocking.profile_build(prepared)
        insufficient = INSUFFICIENT in prepared["flags"]
        profiles.add(record_id, json.dumps(profile), insufficient)
        if not insufficient:
            for key in blocking.keys_of(profile, rules):
                keys.add(key, record_id)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit TO off")
        for table in (requests, records, identifiers, people, links, profiles, keys):
            table.copy(cursor.cursor)
    return len(chunk)


def _chunks(n_people: int) -> Iterator[list[tuple[int, int, int, int, bool, dict[str, str]]]]:
    """The held-out rows with their ids, in order: a request every ten records, and one person
    per true identity (duplicates linked to it, as resolution would)."""
    from haven.resolution import heldout

    person_of_truth: dict[str, int] = {}
    chunk: list[tuple[int, int, int, int, bool, dict[str, str]]] = []
    for index, row in enumerate(heldout.heldout_records(n_people, seed=2021)):
        truth = row["person_id"]
        new_person = truth not in person_of_truth
        if new_person:
            person_of_truth[truth] = len(person_of_truth) + 1
        record_id = index + 1
        chunk.append(
            (
                record_id,
                index // RECORDS_PER_REQUEST + 1,
                index % RECORDS_PER_REQUEST,
                person_of_truth[truth],
                new_person,
                row,
            )
        )
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _schema_extras(cursor: Any, tables: Sequence[str]) -> list[tuple[str, str]]:
    """The indexes, unique constraints and foreign keys of the tables (primary keys stay):
    (drop statement, create statement), read from the catalogue so migrate's names and
    definitions are restored exactly."""
    cursor.execute(
        """
        SELECT format('ALTER TABLE %%I DROP CONSTRAINT %%I', t.relname, c.conname),
               format('ALTER TABLE %%I ADD CONSTRAINT %%I %%s', t.relname, c.conname,
                      pg_get_constraintdef(c.oid)),
               c.contype
        FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
        WHERE t.relname = ANY(%s) AND c.contype IN ('u', 'f')
        ORDER BY c.contype DESC, t.relname, c.conname
        """,
        [list(tables)],
    )
    constraints = cursor.fetchall()
    cursor.execute(
        """
        SELECT format('DROP INDEX %%I', x.relname), pg_get_indexdef(i.indexrelid)
        FROM pg_index i JOIN pg_class x ON x.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid
        WHERE t.relname = ANY(%s)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c
                          WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid
                            AND c.contype IN ('p', 'u', 'x'))
        ORDER BY t.relname, x.relname
        """,
        [list(tables)],
    )
    indexes = cursor.fetchall()
    # Unique constraints first, then plain indexes, then foreign keys (dropped in reverse).
    unique = [(d, c) for d, c, kind in constraints if kind == "u"]
    foreign = [(d, c) for d, c, kind in constraints if kind == "f"]
    return unique + indexes + foreign


def populate(n_people: int) -> int:
    import multiprocessing

    from django.apps import apps
    from django.db import connection, connections

    tables = [apps.get_model(app, name)._meta.db_table for app, name in TABLES]
    with connection.cursor() as cursor:
        extras = _schema_extras(cursor, tables)
        for drop, _create in reversed(extras):
            cursor.execute(drop)
    connections.close_all()  # the workers are forked: each opens its own connection
    started = time.perf_counter()
    made = 0
    pending: list[Any] = []
    with multiprocessing.get_context("fork").Pool(WORKERS) as pool:
        for chunk in _chunks(n_people):
            pending.append(pool.apply_async(_chunk_store, (chunk,)))
            while len(pending) >= IN_FLIGHT or (pending and pending[0].ready()):
                made += pending.pop(0).get()
                rate = made / (time.perf_counter() - started)
                if made % 100_000 == 0:
                    print(f"  {made:,} records ({rate:,.0f}/s)", flush=True)
        for result in pending:
            made += result.get()
    print(f"  {made:,} records copied in {time.perf_counter() - started:.0f} s", flush=True)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem TO '1GB'")
        for _drop, create in extras:
            cursor.execute(create)
        print(
            f"  {len(extras)} indexes and constraints built in "
            f"{time.perf_counter() - started:.0f} s",
            flush=True,
        )
        for table in ("intake_request", "intake_personrecord", "resolution_person"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
        # As autovacuum would on a live database: statistics, and the visibility map the
        # index-only look-up of blocking keys relies on.
        cursor.execute(f"VACUUM (ANALYZE) {', '.join(tables)}")
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
    fresh = not (args.reuse and exists)
    if fresh:
        psql("postgres", f'DROP DATABASE IF EXISTS "{args.database}"')
        psql("postgres", f'CREATE DATABASE "{args.database}"')
        subprocess.run(
            [str(ROOT / ".venv/bin/haven"), "migrate", "--noinput", "-v0"], env=env, check=True
        )
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
        if not fresh:  # an unfinished fill (or none): start again
            psql(args.database, "DROP SCHEMA public CASCADE; CREATE SCHEMA public")
            subprocess.run(
                [str(ROOT / ".venv/bin/haven"), "migrate", "--noinput", "-v0"], env=env, check=True
            )
        print(f"Storing {args.people:,} person records…", flush=True)
        started = time.perf_counter()
        stored = populate(args.people)
        print(f"Stored {stored:,} in {time.perf_counter() - started:.0f} s", flush=True)
        psql("postgres", f"COMMENT ON DATABASE \"{args.database}\" IS '{FILLED} {stored}'")
    size = psql(
        args.database, "SELECT pg_size_pretty(pg_total_relation_size('resolution_blockingkey'))"
    )
    database_size = psql(
        args.database, "SELECT pg_size_pretty(pg_database_size(current_database()))"
    )
    keys = psql(args.database, "SELECT count(*) FROM resolution_blockingkey")
    rows = probes(args.probes, stored)
    timings, candidates = measure(rows)
    timings.sort()

    def pct(p: float) -> float:
        return timings[min(len(timings) - 1, int(p * len(timings)))]

    print(
        f"{stored:,} person records, {int(keys):,} blocking keys ({size}), "
        f"database {database_size}; "
        f"{len(timings):,} incoming records timed"
    )
    print(
        f"look-up + scoring per record: p50 {pct(0.50):.1f} ms, p95 {pct(0.95):.1f} ms, "
        f"p99 {pct(0.99):.1f} ms, mean {statistics.mean(timings):.1f} ms; "
        f"candidates per record: mean {statistics.mean(candidates):.1f}, max {max(candidates)}"
    )


if __name__ == "__main__":
    main()
