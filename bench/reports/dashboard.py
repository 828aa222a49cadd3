"""The dashboard at a million cases on PostgreSQL.

    .venv/bin/python bench/reports/dashboard.py [--cases 1000000] [--pg-url URL] [--keep]

Creates `haven_reports_bench` (dropped and re-created unless --keep finds it filled),
migrates it and fills it by bulk SQL (generate_series, not through intake): N requests, N
cases (40% closed, 40% unassigned, 20 workers), one principal record each with a province
(34, skewed), 1.5 N people as case members, dates over a year skewed to recent days. Then:

- times the summary rebuild (what `haven tick` runs every minute on a large desk);
- times the dashboard (GET /reports/ as a supervisor, through Django's test client): the
  first request (charts not yet drawn in this process), then warm ones, then filtered ones;
- prints the figures' totals against independent COUNT(*)s.
"""

from __future__ import annotations

import argparse
import html
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "haven.config.settings")
BENCH_DB = "haven_reports_bench"

PROVINCES = [
    "Kabul", "Nangarhar", "Kandahar", "Herat", "Balkh", "Kunduz", "Ghazni", "Paktia", "Khost",
    "Helmand", "Baghlan", "Takhar", "Badakhshan", "Parwan", "Kapisa", "Logar", "Wardak", "Laghman",
    "Kunar", "Nuristan", "Bamyan", "Daykundi", "Ghor", "Faryab", "Jowzjan", "Sar-e Pol", "Samangan",
    "Badghis", "Farah", "Nimruz", "Uruzgan", "Zabul", "Paktika", "Panjshir",
]  # fmt: skip
PATHWAYS = [
    "needs_information", "refer_unhcr", "p2_needs_referral", "siv_in_process", "p1",
    "needs_verification", "siv_apply", "humanitarian_parole", "p2", "family_petition",
    "siv_approved", "us_citizen_or_lpr", "out_of_scope",
]  # fmt: skip


def prepare(url: str, db: str, keep: bool) -> bool:
    import psycopg

    with psycopg.connect(url + "postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db]).fetchone()
        if exists and keep:
            return False
        conn.execute(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {db}")
    return True


def seed(n: int) -> None:
    from django.db import connection

    from haven.accounts.models import Organization, Role, User

    org = Organization.objects.create(name="Task Force", kind=Organization.Kind.TASK_FORCE)
    User.objects.create_user(username="supervisor", role=Role.SUPERVISOR, organization=org)
    workers = [
        User.objects.create_user(
            username=f"worker{i:02d}", role=Role.CASEWORKER, organization=org
        ).pk
        for i in range(20)
    ]
    provinces = "ARRAY[" + ",".join(f"'{p}'" for p in PROVINCES) + "]"
    pathways = "ARRAY[" + ",".join(f"'{p}'" for p in PATHWAYS) + "]"
    worker_ids = "ARRAY[" + ",".join(map(str, workers)) + "]::bigint[]"
    steps = [
        (
            "requests",
            f"""
            INSERT INTO intake_request (id, receipt_number, channel, received_at, raw_input,
              raw_content_type, status_secret_hash, status, needs_data_entry, help_requested,
              current_country, current_location, language, consent_version, created_at,
              pipeline_pending, people_pending, outcome)
            SELECT i, 'B' || i, (ARRAY['web_form','walk_in','spreadsheet','email','api'])[1 + (i * 7) % 5],
              now() - (random() ^ 2) * interval '365 days', '{{}}', 'application/json', '', 'received',
              i % 997 = 0, '', 'PK', '', '', '', now(), false, false, ''
            FROM generate_series(1, {n}) i""",
        ),
        (
            "principal records",
            f"""
            INSERT INTO intake_personrecord (id, position, relationship, full_name, given_name,
              family_name, father_name, search_text, sex, dob_as_written, dob_precision, province,
              flags, request_id)
            SELECT i, 0, 'principal', '', 'Person' || i, '', '', '', '', '', 'unknown',
              CASE WHEN i % 9 = 0 THEN '' ELSE ({provinces})[1 + floor((random() ^ 2) * 34)::int] END,
              '[]', i
            FROM generate_series(1, {n}) i""",
        ),
        (
            "cases",
            f"""
            INSERT INTO cases_case (id, status, pathway, priority, display_name, created_at,
              updated_at, assignee_id, closure_outcome)
            SELECT i,
              CASE WHEN r < 0.4 THEN 'closed' WHEN r < 0.7 THEN 'new' WHEN r < 0.85 THEN 'in_review'
                   WHEN r < 0.95 THEN 'awaiting_information' ELSE 'referred' END,
              ({pathways})[1 + floor((random() ^ 1.5) * 13)::int], (random() * 100)::int, '',
              q.received_at, now(),
              CASE WHEN random() < 0.4 THEN NULL ELSE ({worker_ids})[1 + floor(random() * 20)::int] END,
              ''
            FROM (SELECT id AS i, random() AS r, received_at FROM intake_request) q""",
        ),
        (
            "case requests",
            f"""
            INSERT INTO cases_caserequest (id, linked_at, case_id, request_id)
            SELECT i, now(), i, i FROM generate_series(1, {n}) i""",
        ),
        (
            "people",
            f"""
            INSERT INTO resolution_person (id, display_name, created_at)
            SELECT i, '', now() FROM generate_series(1, {n + n // 2}) i""",
        ),
        (
            "case members",
            f"""
            INSERT INTO cases_casemember (id, relationship, added_at, case_id, person_id)
            SELECT i, CASE WHEN i <= {n} THEN 'principal' ELSE 'child' END, now(),
              CASE WHEN i <= {n} THEN i ELSE (i - {n}) * 2 END, i
            FROM generate_series(1, {n + n // 2}) i""",
        ),
    ]
    with connection.cursor() as cursor:
        for name, sql in steps:
            started = time.perf_counter()
            cursor.execute(sql)
            print(
                f"  {name}: {cursor.rowcount:,} rows in {time.perf_counter() - started:.1f} s",
                flush=True,
            )
        for table in ("intake_request", "intake_personrecord", "cases_case", "cases_caserequest",
                      "resolution_person", "cases_casemember"):  # fmt: skip
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
        cursor.execute("ANALYZE")


PARTNERS = ["UNHCR Pakistan", "IOM Kabul", "NRC", "IRC", "Legal Aid Peshawar"]


def seed_partners_and_messages(n: int) -> None:
    """Referrals (one for every 16th case, to five partners) and one receipt message per
    request: the live-read figures (referrals per partner, messages per channel) at size."""
    from django.db import connection

    from haven.accounts.models import Organization, User
    from haven.referrals.models import Referral, Service

    if Referral.objects.exists():
        return
    services = []
    for name in PARTNERS:
        org = Organization.objects.create(name=name, kind=Organization.Kind.PARTNER)
        services.append(
            (
                org.pk,
                Service.objects.create(organization=org, name="Protection", kind="protection").pk,
            )
        )
    orgs = "ARRAY[" + ",".join(str(o) for o, _s in services) + "]::bigint[]"
    svcs = "ARRAY[" + ",".join(str(s) for _o, s in services) + "]::bigint[]"
    actor = User.objects.get(username="supervisor").pk
    steps = [
        (
            "referrals",
            f"""
            INSERT INTO referrals_referral (urgency, reason, status, snapshot, override_reason,
              created_at, updated_at, sent_at, decline_reason, outcome, outcome_note, overdue,
              case_id, created_by_id, organization_id, service_id)
            SELECT 'routine', '', (ARRAY['sent','acknowledged','accepted','declined','in_progress',
                'completed','withdrawn'])[1 + (c.id * 13) % 7], '', '', c.created_at, now(),
              c.created_at + interval '2 days', '', '', '', c.id % 10 = 0, c.id, {actor},
              ({orgs})[1 + c.id % 5], ({svcs})[1 + c.id % 5]
            FROM cases_case c WHERE c.id % 16 = 0""",
        ),
        (
            "messages",
            f"""
            INSERT INTO communications_message (idempotency_key, purpose, language, channel,
              recipient, recipient_hash, subject, body, status, not_before, attempts,
              last_error, provider_id, provider_status, created_at, request_id)
            SELECT gen_random_uuid(), 'receipt', 'fa-af',
              CASE WHEN r.id % 5 < 3 THEN 'sms' ELSE 'email' END, '', '', '', '',
              (ARRAY['sent','sent','sent','sent','sent','sent','sent','delivered','delivered',
                'failed','failed','queued','cancelled'])[1 + (r.id * 7) % 13],
              r.received_at, 1, '', '', '', r.received_at, r.id
            FROM intake_request r WHERE r.id <= {n}""",
        ),
    ]
    with connection.cursor() as cursor:
        for name, sql in steps:
            started = time.perf_counter()
            cursor.execute(sql)
            print(
                f"  {name}: {cursor.rowcount:,} rows in {time.perf_counter() - started:.1f} s",
                flush=True,
            )
        cursor.execute("ANALYZE referrals_referral")
        cursor.execute("ANALYZE communications_message")


def load() -> str:
    return "load " + Path("/proc/loadavg").read_text().split()[0]


def timed(client, url: str, runs: int, **headers: str) -> list[float]:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url, **headers)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    return times


CHART_URL = re.compile(r'hx-get="([^"]+)" hx-trigger="load"')


def chart_urls(client, url: str) -> list[str]:  # type: ignore[no-untyped-def]
    page = client.get(url).content.decode()
    return [html.unescape(u) for u in CHART_URL.findall(page)]


def charts_timed(client, url: str) -> list[tuple[str, float]]:  # type: ignore[no-untyped-def]
    """Each chart's own request, as the page's htmx asks for them (one after another)."""
    return [
        (u.split("/")[4], timed(client, u, 1, HTTP_HX_REQUEST="true")[0])
        for u in chart_urls(client, url)
    ]


def show(label: str, results: list[tuple[str, float]]) -> None:
    values = [ms for _name, ms in results]
    each = ", ".join(f"{name} {ms:.0f}" for name, ms in results)
    print(
        f"  {label}: max {max(values):.0f} ms, median {statistics.median(values):.0f} ms "
        f"({each}) [{load()}]",
        flush=True,
    )


def clear_charts() -> None:
    from django.core.cache import cache

    from haven.reports import charts

    charts._CACHE.clear()
    cache.clear()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/")
    parser.add_argument("--db", default=BENCH_DB, help="the bench database's name")
    parser.add_argument("--keep", action="store_true", help="reuse a filled bench database")
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    fresh = prepare(args.pg_url, args.db, args.keep)
    os.environ["DATABASE_URL"] = args.pg_url + args.db
    os.environ.setdefault("HAVEN_VAR_DIR", tempfile.mkdtemp(prefix="haven-reports-bench-"))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from haven.accounts.models import User
    from haven.reports.models import CaseDaySummary, CaseSummary, RequestSummary
    from haven.reports.summary import charts_prewarm, summaries_rebuild

    settings.ALLOWED_HOSTS = ["*"]
    # The periodic job keeps the summaries fresh on a desk this size; the page only reads them.
    settings.HAVEN_REPORTS_SUMMARY_MAX_AGE_SECONDS = 3600
    settings.HAVEN_REPORTS_CHART_CACHE_SECONDS = 3600
    # Always: a kept database catches up with migrations added since it was seeded.
    call_command("migrate", verbosity=0)
    if fresh:
        print(f"Seeding {args.cases:,} cases by bulk SQL", flush=True)
        seed(args.cases)
    seed_partners_and_messages(args.cases)
    started = time.perf_counter()
    state = summaries_rebuild()
    print(
        f"Summary rebuild: {time.perf_counter() - started:.1f} s ({CaseSummary.objects.count():,} "
        f"open-case rows, {CaseDaySummary.objects.count():,} case-day rows, "
        f"{RequestSummary.objects.count():,} request rows) [{load()}]"
    )
    clear_charts()
    started = time.perf_counter()
    drawn = charts_prewarm()
    print(
        f"Charts drawn ahead (the periodic job, first drawing in this process included): "
        f"{drawn} in {time.perf_counter() - started:.1f} s [{load()}]"
    )
    from haven.conftest import verified_client

    # Past the second factor, as the tests' clients are (the dashboard requires it).
    client = verified_client(User.objects.get(username="supervisor"))
    url = "/reports/"
    first = timed(client, url, 1)[0]
    warm = timed(client, url, args.runs)
    print("The page (figures and tables; charts come in their own requests):")
    print(f"  default view, first request: {first:.0f} ms [{load()}]")
    print(
        f"  default view: median {statistics.median(warm):.0f} ms, max {max(warm):.0f} ms "
        f"over {args.runs} [{load()}]"
    )
    print("Chart requests, default view:")
    show("drawn ahead by the periodic job", charts_timed(client, url))
    show("again (the view's cache)", charts_timed(client, url))
    clear_charts()
    cold_page = timed(client, url, 1)[0]
    print(f"  the page with no chart drawn anywhere: {cold_page:.0f} ms [{load()}]")
    show(
        "no chart drawn anywhere (each drawn by vl-convert in its request)",
        charts_timed(client, url),
    )
    show("again (the view's cache)", charts_timed(client, url))
    print("Filtered views (nothing drawn for them yet):")
    for query in (
        "?province=Herat",
        "?pathway=p1",
        "?assignee=5",
        "?date_from=2026-01-01&date_to=2026-06-30",
    ):
        page_first = timed(client, url + query, 1)[0]
        again = timed(client, url + query, 3)
        print(
            f"  page {query}: first {page_first:.0f} ms, then median "
            f"{statistics.median(again):.0f} ms [{load()}]"
        )
        show(f"charts {query}, drawn in their requests", charts_timed(client, url + query))
        show(f"charts {query}, again", charts_timed(client, url + query))
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM cases_case WHERE status <> 'closed'")
        open_cases = cursor.fetchone()[0]
    from haven.reports.filters import default_filters
    from haven.reports.selectors import dashboard

    board = dashboard(user=User.objects.get(username="supervisor"), filters=default_filters())
    shown = board.table("open_cases").total() // 2  # each row has its statuses and a total
    print(
        f"Open cases: dashboard {shown:,}, COUNT(*) {open_cases:,}; summary built {state.took_ms} ms"
    )
    assert shown == open_cases


if __name__ == "__main__":
    main()
