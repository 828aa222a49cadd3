"""End-to-end re-triage on a real database: activation, background workers, progress.

    .venv/bin/python bench/triage/retriage_db.py [--db postgres|sqlite] [--cases N]
                                                 [--workers W] [--inline] [--keep]

Creates a throw-away database (PostgreSQL: `haven_bench` on --pg-url, dropped
and re-created; SQLite: a temporary file), migrates it, creates N open cases
with skewed, caseload-like facts by bulk SQL (not through intake), then
activates `us-afghan-2021@1` as a supervisor, exactly as `haven guidance
activate` does. The activation enqueues the re-triage (django-tasks database
backend); W `haven db_worker --batch` processes run it, and the run's progress
is polled as the guidance page shows it. --inline runs the task in this
process instead (handy for profiling).

Prints the total time from activation to the run being done, cases/s, the
peak memory (max RSS) of the worker processes, and checks that every case has
exactly one decision with its outcome, facts and explanation.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "haven.config.settings")

from retriage import skewed_facts  # noqa: E402

BENCH_DB = "haven_bench"


def prepare_database(args: argparse.Namespace) -> str:
    if args.db == "sqlite":
        folder = tempfile.mkdtemp(prefix="haven-bench-")
        os.environ["HAVEN_VAR_DIR"] = folder
        return f"sqlite:///{folder}/bench.sqlite3"
    import psycopg

    with psycopg.connect(args.pg_url + "postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {BENCH_DB}")
    os.environ.setdefault("HAVEN_VAR_DIR", tempfile.mkdtemp(prefix="haven-bench-"))
    return args.pg_url + BENCH_DB


def seed(cases: int, vendor: str) -> None:
    """N open cases, created 0..399 days ago, each with a facts row.

    Through the ORM's bulk_create, so every column the model has (with its default) is
    written: hand-written INSERTs here broke whenever Case gained a NOT NULL column.
    """
    from django.db import transaction

    from haven.cases.models import Case
    from haven.triage.models import CaseFacts

    rng = random.Random(7)
    now = dt.datetime.now(dt.UTC)
    with transaction.atomic():
        made = Case.objects.bulk_create(
            [
                Case(status="new", pathway="", priority=0, display_name=f"Bench person {i}")
                for i in range(1, cases + 1)
            ],
            batch_size=5000,
        )
        # auto_now_add stamps them all now; bulk_update writes the ages as given.
        for i, case in enumerate(made, start=1):
            case.created_at = now - dt.timedelta(days=i % 400)
        Case.objects.bulk_update(made, ["created_at"], batch_size=5000)
        CaseFacts.objects.bulk_create(
            [CaseFacts(case_id=case.pk, facts=skewed_facts(rng)) for case in made],
            batch_size=5000,
        )
    if vendor == "postgresql":
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Case._meta.db_table}")
            cursor.execute(f"ANALYZE {CaseFacts._meta.db_table}")


def peak_rss_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # kB on Linux


def high_water_mb(pid: int) -> float:
    """A running process's peak resident memory (VmHWM), 0 once it has gone.

    (Children's ru_maxrss would count the pages shared with this large parent
    at fork time, so the workers are sampled instead.)"""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    line = next((x for x in status.splitlines() if x.startswith("VmHWM:")), "VmHWM: 0 kB")
    return int(line.split()[1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/")
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--inline", action="store_true", help="run the task in this process")
    args = parser.parse_args()

    url = prepare_database(args)
    os.environ["DATABASE_URL"] = url
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from haven.accounts.models import Role, User
    from haven.cases.models import Case, CaseEvent
    from haven.triage import library, services
    from haven.triage.models import DecisionOutcome, RetriageRun, TriageDecision

    vendor = connection.vendor
    print(f"database: {vendor} ({url}), cases: {args.cases:,}")
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    seed(args.cases, vendor)
    print(f"migrate + seed: {time.perf_counter() - started:.1f} s")

    supervisor = User.objects.create(username="bench-supervisor", role=Role.SUPERVISOR)
    version = services.guidance_store(pack=library.find("us-afghan-2021@1"), actor=supervisor)
    settings.HAVEN_RETRIAGE_SHARDS = args.workers
    connection.close()
    started = time.perf_counter()
    if args.inline:
        from haven.triage import tasks

        run = services._guidance_activate(version=version, actor=supervisor, enqueue=False)
        for shard in run.shards.order_by("number"):
            tasks.retriage_shard.call(shard.pk)
        peak = peak_rss_mb(resource.RUSAGE_SELF)
    else:
        run = services.guidance_activate(version=version, actor=supervisor)
        env = {**os.environ, "DATABASE_URL": url}
        haven = str(Path(sys.executable).with_name("haven"))
        workers = [
            subprocess.Popen(
                [haven, "db_worker", "--batch", "--no-startup-delay", "--no-reload"], env=env
            )
            for _ in range(args.workers)
        ]
        peak = 0.0
        last_print = time.perf_counter()
        while any(w.poll() is None for w in workers):
            time.sleep(1)
            peak = max([peak, *(high_water_mb(w.pid) for w in workers)])
            if time.perf_counter() - last_print < 10:
                continue
            last_print = time.perf_counter()
            run.refresh_from_db()
            print(
                f"  {time.perf_counter() - started:6.1f} s  {run.get_status_display()}: "
                f"{run.done:,}/{run.total:,} ({run.percent}%), {run.changed:,} changed",
                flush=True,
            )
        if any(w.returncode for w in workers):
            sys.exit("a worker failed")
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF if args.inline else resource.RUSAGE_CHILDREN)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    run.refresh_from_db()
    decisions = TriageDecision.objects.filter(run=run).count()
    print(f"run: {run.get_status_display()}, {run.done:,} done, {run.changed:,} changed")
    if run.started_at and run.finished_at:
        busy = (run.finished_at - run.started_at).total_seconds()
        print(f"run itself (first batch started -> last finished): {busy:.1f} s")
    print(
        f"total (activation -> done): {seconds:.1f} s = {args.cases / seconds:,.0f} cases/s"
        f" with {1 if args.inline else args.workers} worker(s); "
        f"peak RSS per worker: {peak:.0f} MB"
    )
    print(
        f"worker CPU time: {usage.ru_utime + usage.ru_stime:.0f} s in all "
        f"(load average at the end: {load}; other jobs on the machine slow the wall time)"
    )
    print(
        f"rows: {decisions:,} decisions, {DecisionOutcome.objects.count():,} distinct outcomes, "
        f"{CaseEvent.objects.count():,} case events, "
        f"{Case.objects.exclude(pathway='').count():,} cases with a pathway"
    )
    assert run.status == RetriageRun.Status.DONE and decisions == args.cases == run.done
    sample = TriageDecision.objects.select_related("outcome", "guidance").order_by("?").first()
    assert sample is not None and sample.explanation and sample.facts_used
    print(f"target: {args.cases:,} cases in under 300 s -> {'met' if seconds < 300 else 'NOT met'}")


if __name__ == "__main__":
    main()
