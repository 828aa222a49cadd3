"""Benchmark: queue a notice to 100,000 requesters; deliver SMS at the provider's rate limit.

    .venv/bin/python bench/communications/run.py                       # SQLite, 100,000
    .venv/bin/python bench/communications/run.py --database postgres   # PostgreSQL at 127.0.0.1
    .venv/bin/python bench/communications/run.py --requesters 5000     # a quick look

1. 100,000 synthetic requesters are stored through intake (half with a phone, half with an
   e-mail address, in English, Dari and Pashto; not measured).
2. Measured: a supervisor's notice to all of them (`notice_create`: contacts read and
   decrypted, opt-outs and earlier sends checked, every message rendered, encrypted and
   written), with the SQL statements it sent. Target: under 60 s. --profile prints
   pyinstrument's profile of it (pip install pyinstrument: not a requirement).
3. Measured: the outbox delivering --sms SMS to a Twilio-compatible provider on 127.0.0.1
   that refuses (429) anything over --rate per second; the figures show the achieved rate,
   the most the provider saw in any one second, and how many it refused. Target: at the
   limit, never above it.
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def _prepare_env(args: argparse.Namespace, var_dir: str) -> None:
    os.environ["HAVEN_VAR_DIR"] = var_dir
    os.environ["HAVEN_MESSAGE_QUIET_HOURS"] = ""
    os.environ.pop("DJANGO_SETTINGS_MODULE", None)
    if args.database == "postgres":
        name = args.pg_name or f"haven_bench_comms_{os.getpid()}"
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
        os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{name}"
    else:
        os.environ.pop("DATABASE_URL", None)
    haven = [sys.executable, "-m", "haven.cli"]
    subprocess.run([*haven, "migrate", "-v0"], cwd=ROOT, check=True)


def _store_requesters(count: int) -> None:
    from haven.communications.tests.helpers import requester_input
    from haven.intake.services import NewRequest, requests_create_many

    languages = ["en", "fa-af", "ps"]
    started = time.perf_counter()
    for start in range(0, count, 1000):
        entries = []
        for i in range(start, min(start + 1000, count)):
            contact = (
                {"phone": f"+93 70{i % 10_000_000:07d}"}
                if i % 2
                else {"email": f"requester-{i}@example.org"}
            )
            entries.append(
                NewRequest(
                    data=requester_input(
                        given_name=f"Person{i}",
                        language=languages[i % 3],
                        index=i,
                        **contact,  # type: ignore[arg-type]
                    ),
                    raw_input="{}",
                )
            )
        # Not the receipts: step 2 measures the notice alone.
        requests_create_many(entries=entries, actor=None, run_pipeline=False, receipt_message=False)
    print(f"stored {count:,} requesters in {time.perf_counter() - started:.1f} s (setup)")


class _Statements:
    """Counts the SQL statements sent (an executemany or a COPY counts once)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        self.count += 1
        return execute(sql, params, many, context)


def _profiler(enabled: bool):  # type: ignore[no-untyped-def]
    """pyinstrument, when asked for and installed (a developer's tool, not a requirement)."""
    if not enabled:
        return None
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.005)
    profiler.start()
    return profiler


def _queue_notice(*, profile: bool = False) -> None:
    from django.conf import settings
    from django.db import connection

    from haven.accounts.models import Role, User
    from haven.communications.models import Message
    from haven.communications.notices import NoticeFilters, notice_create

    settings.HAVEN_NOTICE_APPROVAL_ABOVE = 10**9
    # Load the URLconf first (the status page's address): a server or `haven notify` process
    # pays that once, not per notice.
    from haven.communications.services import status_url

    status_url()
    user = User.objects.create_user(username="bench-supervisor", role=Role.SUPERVISOR)
    statements = _Statements()
    profiler = _profiler(profile)
    started, cpu = time.perf_counter(), time.process_time()
    with connection.execute_wrapper(statements):
        _notice, result = notice_create(
            user=user, purpose="general_notice", filters=NoticeFilters(status="received")
        )
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    assert result is not None
    print(
        f"notice queued to {result.queued:,} requesters in {elapsed:.1f} s wall, {cpu:.1f} s "
        f"CPU of this process ({result.queued / elapsed:,.0f} messages/s; by channel "
        f"{dict(result.by_channel)}; load average {os.getloadavg()[0]:.1f} on "
        f"{os.cpu_count()} cores); target < 60 s: {'met' if elapsed < 60 else 'NOT met'}"
    )
    print(
        f"SQL: {statements.count} statements for {result.queued:,} recipients "
        f"({statements.count / max(result.queued, 1):.4f} per recipient)"
    )
    if profiler is not None:
        profiler.stop()
        print(profiler.output_text(unicode=False, color=False))
    started = time.perf_counter()
    _notice, again = notice_create(
        user=user, purpose="general_notice", filters=NoticeFilters(status="received")
    )
    assert again is not None
    print(
        f"the same notice again: queued {again.queued}, already sent {again.already_sent:,} "
        f"in {time.perf_counter() - started:.1f} s"
    )
    # Out of the way of the delivery bench.
    Message.objects.update(status=Message.Status.CANCELLED)


def _deliver_at_rate(count: int, rate: int) -> None:
    from django.conf import settings

    from haven.communications.contacts import request_contacts
    from haven.communications.fake_provider import FakeProvider
    from haven.communications.outbox import outbox_deliver
    from haven.communications.services import messages_queue
    from haven.intake.models import IdentifierKind, Request

    with_phone = (
        Request.objects.filter(person_records__identifiers__kind=IdentifierKind.PHONE)
        .order_by("id")
        .values_list("id", flat=True)[:count]
    )
    messages_queue(
        purpose="closed",
        contacts=request_contacts(Request.objects.filter(pk__in=list(with_phone))),
        actor=None,
    )
    with FakeProvider(rate_limit=rate) as provider:
        settings.HAVEN_SMS_CHANNEL = "twilio"
        settings.HAVEN_TWILIO_BASE_URL = provider.url
        settings.HAVEN_TWILIO_ACCOUNT_SID = "ACbench"
        settings.HAVEN_TWILIO_AUTH_TOKEN = "bench"
        settings.HAVEN_TWILIO_FROM = "+15005550006"
        settings.HAVEN_SMS_RATE_PER_SECOND = rate
        started = time.perf_counter()
        delivered = outbox_deliver(limit=100)
        elapsed = time.perf_counter() - started
    peak = provider.max_in_any_second()
    print(
        f"delivered {delivered.sent} SMS in {elapsed:.1f} s = {delivered.sent / elapsed:.1f}/s "
        f"against a limit of {rate}/s; provider saw at most {peak} in any second, refused "
        f"{provider.rejected_for_rate} for rate; retried {delivered.retried}; "
        f"limit {'held' if peak <= rate and not provider.rejected_for_rate else 'EXCEEDED'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requesters", type=int, default=100_000)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--pg-name", default="", help="the PostgreSQL database to create (and drop after)"
    )
    parser.add_argument("--sms", type=int, default=300, help="SMS to deliver in step 3")
    parser.add_argument("--rate", type=int, default=25, help="the provider's limit per second")
    parser.add_argument(
        "--profile", action="store_true", help="profile the notice (pyinstrument, if installed)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="haven-bench-comms-") as var_dir:
        _prepare_env(args, var_dir)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "haven.config.settings")
        import django

        django.setup()
        try:
            _store_requesters(args.requesters)
            _queue_notice(profile=args.profile)
            _deliver_at_rate(args.sms, args.rate)
        finally:
            if args.database == "postgres":
                from django.db import connection

                name = connection.settings_dict["NAME"]
                connection.close()
                subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", name], check=False)


if __name__ == "__main__":
    main()
