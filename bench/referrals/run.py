"""Referrals at scale: a bulk referral of N cases, then the partner's list at M referrals.

    .venv/bin/python bench/referrals/run.py [--db postgres|sqlite] [--cases 10000]
                                            [--referrals 100000] [--pg-url URL]
                                            [--db-name NAME] [--profile FILE.html]

Creates a throw-away database (PostgreSQL: --db-name, default `haven_bench_referrals`, dropped
and re-created;
SQLite: a temporary file), migrates it, and seeds N households of two (requests whose consent
statement covers sharing, person records with a phone, people, links, cases on the
`refer_unhcr` pathway, members) with bulk inserts, not through intake. Then it times:

1. `referrals_send_many` over the whole `refer_unhcr` queue, as `haven referral send --queue`
   does: snapshots, referrals, members, events, audit, the manifest, and every case's status
   changed through cases.services.cases_status_change_many;
2. the partner's workspace list (`/referrals/partner/`, first page, also filtered by status
   and overdue) and the API list (`/api/v1/referrals`) once the organisation has M referrals,
   through Django's test client (the whole request: session, selector, audit, template),
   with its number of queries.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "haven.config.settings")
BENCH_DB = "haven_bench_referrals"


def prepare_database(args: argparse.Namespace) -> str:
    if args.db == "sqlite":
        folder = tempfile.mkdtemp(prefix="haven-bench-")
        os.environ["HAVEN_VAR_DIR"] = folder
        return f"sqlite:///{folder}/bench.sqlite3"
    import psycopg
    from psycopg import sql

    with psycopg.connect(args.pg_url + "postgres", autocommit=True) as conn:
        name = sql.Identifier(args.db_name)
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(name))
    os.environ.setdefault("HAVEN_VAR_DIR", tempfile.mkdtemp(prefix="haven-bench-"))
    return args.pg_url + args.db_name


def seed(households: int) -> None:
    from django.db import transaction
    from django.utils import timezone

    from haven.cases.models import Case, CaseMember, CaseRequest
    from haven.common import crypto
    from haven.intake.models import Identifier, PersonRecord, Request
    from haven.resolution.models import Person, PersonLink

    now = timezone.now()
    with transaction.atomic():
        requests = Request.objects.bulk_create(
            [
                Request(
                    receipt_number=f"HV-B{i:09d}",
                    channel="web_form",
                    received_at=now,
                    raw_input="{}",
                    status_secret_hash=f"{i:064d}",
                    consent_version="web-2021-08-v1",
                    current_country="PK",
                    current_location="Peshawar",
                    language="fa",
                )
                for i in range(households)
            ],
            batch_size=2000,
        )
        records = PersonRecord.objects.bulk_create(
            [
                PersonRecord(
                    request=r,
                    position=p,
                    relationship="principal" if p == 0 else "spouse",
                    given_name="Mohammad Zaman" if p == 0 else "Fatima",
                    family_name="Ahmadzai",
                    sex="m" if p == 0 else "f",
                    dob=now.date().replace(year=1985),
                    dob_precision="year",
                )
                for r in requests
                for p in (0, 1)
            ],
            batch_size=2000,
        )
        phone = crypto.encrypt("+93701234567")
        Identifier.objects.bulk_create(
            [
                Identifier(
                    person_record=rec,
                    kind="phone",
                    value_as_written_encrypted=phone,
                    normalized_encrypted=phone,
                    value_hash=crypto.keyed_hash("phone", f"+9370{rec.pk:07d}"),
                )
                for rec in records
                if rec.position == 0
            ],
            batch_size=2000,
        )
        people = Person.objects.bulk_create(
            [Person(display_name=rec.given_name) for rec in records], batch_size=2000
        )
        PersonLink.objects.bulk_create(
            [
                PersonLink(person_record=rec, person=person, method="new_person")
                for rec, person in zip(records, people, strict=True)
            ],
            batch_size=2000,
        )
        cases = Case.objects.bulk_create(
            [
                Case(status="in_review", pathway="refer_unhcr", display_name="Mohammad Zaman")
                for _ in range(households)
            ],
            batch_size=2000,
        )
        CaseRequest.objects.bulk_create(
            [CaseRequest(case=c, request=r) for c, r in zip(cases, requests, strict=True)],
            batch_size=2000,
        )
        CaseMember.objects.bulk_create(
            [
                CaseMember(case=c, person=people[2 * i + p], relationship=rel)
                for i, c in enumerate(cases)
                for p, rel in ((0, "principal"), (1, "spouse"))
            ],
            batch_size=2000,
        )


def more_referrals(total: int, organization, service, actor) -> None:  # type: ignore[no-untyped-def]
    """Top the organisation up to `total` referrals (older, in all statuses)."""
    import datetime as dt

    from django.db import transaction
    from django.utils import timezone

    from haven.cases.models import Case
    from haven.referrals.models import Referral

    have = Referral.objects.filter(organization=organization).count()
    case_ids = list(Case.objects.values_list("pk", flat=True))
    statuses = ["sent", "acknowledged", "accepted", "in_progress", "completed", "declined"]
    snapshot = json.dumps({"people": [{"given_name": "Bench", "relationship": "principal"}]})
    now = timezone.now()
    with transaction.atomic():
        batch = []
        for i in range(total - have):
            batch.append(
                Referral(
                    case_id=case_ids[i % len(case_ids)],
                    organization=organization,
                    service=service,
                    reason="Bench",
                    status=statuses[i % len(statuses)],
                    snapshot=snapshot,
                    created_by=actor,
                    sent_at=now - dt.timedelta(days=30),
                    overdue=i % 7 == 0,
                )
            )
            if len(batch) == 5000:
                Referral.objects.bulk_create(batch)
                batch = []
        Referral.objects.bulk_create(batch)
        # auto_now stamps every row with now; spread them as a real history would be.
        from django.db import connection

        with connection.cursor() as cursor:
            table = Referral._meta.db_table
            cursor.execute(
                f"UPDATE {table} SET updated_at = sent_at + (id % 1000) * interval '1 minute'"
                if connection.vendor == "postgresql"
                else f"UPDATE {table} SET updated_at = datetime(sent_at, '+' || (id % 1000) || ' minutes')"
            )
    # As autovacuum would soon after a load: statistics, and the visibility map that lets
    # PostgreSQL count from the index alone.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {table}")


def _query_timer(spent: list[float]):  # type: ignore[no-untyped-def]
    def timer(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent.append((time.perf_counter() - start) * 1000)

    return timer


def _statement_timer(found: dict[str, list[float]]):  # type: ignore[no-untyped-def]
    def timer(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            key = " ".join(sql.split())[:90]
            found.setdefault(key, []).append((time.perf_counter() - start) * 1000)

    return timer


def timed(fn, runs: int = 7) -> tuple[float, list[float]]:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/")
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--referrals", type=int, default=100_000)
    parser.add_argument("--db-name", default=BENCH_DB, help="PostgreSQL database to re-create")
    parser.add_argument(
        "--profile", metavar="FILE.html", help="profile the bulk send with pyinstrument"
    )
    parser.add_argument(
        "--sql", action="store_true", help="print the bulk send's statements by time spent"
    )
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = prepare_database(args)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from haven.accounts.models import Organization, User
    from haven.accounts.services_api import api_token_create
    from haven.referrals.bulk import queue_case_ids, referrals_send_many
    from haven.referrals.tests.factories import partner_directory

    setup_test_environment()
    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor}; seeding {args.cases:,} households ...", flush=True)
    start = time.perf_counter()
    seed(args.cases)
    print(f"  seeded in {time.perf_counter() - start:.1f} s")
    task_force = Organization.objects.create(name="Task Force", kind="task_force")
    unhcr = Organization.objects.create(name="UNHCR Pakistan", kind="partner", category="UNHCR")
    caseworker = User.objects.create_user(
        username="caseworker", password="x", role="caseworker", organization=task_force
    )
    partner = User.objects.create_user(
        username="partner", password="x", role="partner", organization=unhcr
    )
    service = partner_directory(unhcr)

    # How much of the bulk send is the cases' own status service (set by set).
    import haven.referrals.bulk as bulk_module

    in_status = [0.0]
    real_status_change = bulk_module.cases_status_change_many

    def status_change_timed(**kwargs):  # type: ignore[no-untyped-def]
        began = time.perf_counter()
        try:
            return real_status_change(**kwargs)
        finally:
            in_status[0] += time.perf_counter() - began

    bulk_module.cases_status_change_many = status_change_timed  # type: ignore[assignment]
    profiler = None
    if args.profile:
        from pyinstrument import Profiler  # not a dependency: pip install it to profile

        profiler = Profiler()
        profiler.start()
    # A running server has its URLconf loaded; the first reverse() would import every app's
    # views (pandas among them) inside the timed send.
    from django.urls import reverse

    reverse("public:status")
    statements: dict[str, list[float]] = {}
    start = time.perf_counter()
    with connection.execute_wrapper(_statement_timer(statements)) if args.sql else nullcontext():
        case_ids = queue_case_ids("refer_unhcr")
        bulk = referrals_send_many(
            case_ids=case_ids,
            organization=unhcr,
            service=service,
            actor=caseworker,
            reason="Protection referral",
            source="queue refer_unhcr",
        )
    seconds = time.perf_counter() - start
    for text, spent in sorted(statements.items(), key=lambda kv: -sum(kv[1]))[:15]:
        print(f"  {sum(spent) / 1000:7.2f} s in {len(spent):6} x {text}")
    if profiler is not None:
        profiler.stop()
        Path(args.profile).write_text(profiler.output_html())
        print(profiler.output_text(color=False)[:5000])
        print(profiler.output_text(color=False, flat=True)[:5000])
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    bulk_module.cases_status_change_many = real_status_change  # type: ignore[assignment]
    print(
        f"  of which cases.services.cases_status_change_many: {in_status[0]:.1f} s; "
        f"the rest (plan, snapshots, referrals, members, events, audit): "
        f"{seconds - in_status[0]:.1f} s"
    )
    print(
        f"bulk referral: {bulk.sent:,} sent, {bulk.refused_no_consent} refused, "
        f"{bulk.skipped_open_referral} skipped in {seconds:.1f} s ({bulk.sent / seconds:,.0f}/s)"
    )

    more_referrals(args.referrals, unhcr, service, caseworker)
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    # Partners pass the second factor before any page (as verified_client does in tests).
    from haven.conftest import verified_client

    client = verified_client(partner)
    token = api_token_create(organization=unhcr, rate_limit_per_minute=0).raw
    api = Client(headers={"Authorization": f"Bearer {token}"})
    Organization.objects.create(name="Empty NGO", kind="partner")
    empty = verified_client(
        User.objects.create_user(
            username="empty",
            password="x",
            role="partner",
            organization=Organization.objects.get(name="Empty NGO"),
        )
    )
    pages = {
        "baseline: /healthz": lambda: client.get("/healthz"),
        "workspace, no referrals": lambda: empty.get("/referrals/partner/"),
        "workspace, first page": lambda: client.get("/referrals/partner/"),
        "workspace, status=accepted": lambda: client.get("/referrals/partner/?status=accepted"),
        "workspace, overdue only": lambda: client.get("/referrals/partner/?overdue=on"),
        "workspace, page 100": lambda: client.get("/referrals/partner/?page=100"),
        "API list, first page": lambda: api.get("/api/v1/referrals"),
    }
    print(f"partner list at {args.referrals:,} referrals to the organisation:")
    for name, get in pages.items():
        response = get()
        assert response.status_code == 200, response.status_code
        spent: list[float] = []
        with connection.execute_wrapper(_query_timer(spent)):
            get()
        median, times = timed(get)
        print(
            f"  {name:<28} median {median:6.1f} ms (min {min(times):.1f}, max {max(times):.1f}),"
            f" {len(spent)} queries taking {sum(spent):.1f} ms"
        )


if __name__ == "__main__":
    main()
