"""Summary tables for the dashboard: the desk's counts grouped small enough to read in
milliseconds at a million cases (docs/reports.md).

A rebuild reads every case once into a temporary table (first request's local day, province
of the principal, household size: set-based joins, no per-case subquery), then replaces the
three summary tables from it in one transaction. The dashboard rebuilds them itself when
they are older than HAVEN_REPORTS_SUMMARY_MAX_AGE_SECONDS (60) and the last rebuild took
under HAVEN_REPORTS_LIVE_REBUILD_MS (1,500): a small desk is always live. On a large desk
the periodic job `reports.summaries` (`haven tick`, every minute) rebuilds them, and the
dashboard says how old its figures are.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper
from django.utils import timezone

from haven.cases.models import Case
from haven.communications.models import Message

from .models import (
    CaseDaySummary,
    CaseSummary,
    CaseWorkSummary,
    MessageDaySummary,
    RequestDaySummary,
    RequestSummary,
    SummaryState,
)

# Lower bounds (days waiting) of the ageing buckets; providers.BUCKETS labels them.
BUCKET_STARTS = [0, 8, 31, 61, 91]


def _max_age_seconds() -> int:
    return int(getattr(settings, "HAVEN_REPORTS_SUMMARY_MAX_AGE_SECONDS", 60))


def _live_rebuild_limit_ms() -> int:
    return int(getattr(settings, "HAVEN_REPORTS_LIVE_REBUILD_MS", 1500))


def _local_date(column: str) -> tuple[str, tuple[Any, ...]]:
    """SQL for the local calendar day of a timestamp column, for this database."""
    sql, params = connection.ops.datetime_cast_date_sql(
        column, (), timezone.get_current_timezone_name()
    )
    return sql, tuple(params)


def _fill_case_facts(cursor: CursorWrapper) -> None:
    day_sql, day_params = _local_date("COALESCE(f.first_at, c.created_at)")
    cursor.execute("DROP TABLE IF EXISTS reports_case_facts")
    cursor.execute(
        f"""
        CREATE TEMPORARY TABLE reports_case_facts AS
        SELECT c.id, c.pathway, c.status, c.assignee_id, u.organization_id AS team_id,
               COALESCE(p.province, '') AS province, COALESCE(m.people, 0) AS people,
               {day_sql} AS day
        FROM cases_case c
        LEFT JOIN (SELECT cr.case_id, MIN(r.received_at) AS first_at
                   FROM cases_caserequest cr JOIN intake_request r ON r.id = cr.request_id
                   GROUP BY cr.case_id) f ON f.case_id = c.id
        LEFT JOIN (SELECT cr.case_id, MIN(pr.province) AS province
                   FROM cases_caserequest cr
                   JOIN intake_personrecord pr ON pr.request_id = cr.request_id
                   WHERE pr.relationship = 'principal' AND pr.province <> ''
                   GROUP BY cr.case_id) p ON p.case_id = c.id
        LEFT JOIN (SELECT case_id, COUNT(*) AS people FROM cases_casemember
                   WHERE merged_into_id IS NULL GROUP BY case_id) m ON m.case_id = c.id
        LEFT JOIN accounts_user u ON u.id = c.assignee_id
        """,  # noqa: S608 (no user input: table names are ours, values are parameters)
        day_params,
    )


def _case_summary(
    cursor: CursorWrapper, today: dt.date, targets: dict[str, int], default: int
) -> None:
    # Days waiting = today − day; compared as dates so the SQL is the same on both databases.
    bucket = (
        "CASE "
        + " ".join(f"WHEN day <= %s THEN {i}" for i in range(len(BUCKET_STARTS) - 1, 0, -1))
        + " ELSE 0 END"
    )
    bucket_params = [
        today - dt.timedelta(days=BUCKET_STARTS[i]) for i in range(len(BUCKET_STARTS) - 1, 0, -1)
    ]
    over = (
        "CASE "
        + " ".join("WHEN pathway = %s THEN day < %s" for _ in targets)
        + " ELSE day < %s END"
    )
    over_params: list[Any] = []
    for pathway, target in targets.items():
        over_params += [pathway, today - dt.timedelta(days=target)]
    over_params.append(today - dt.timedelta(days=default))
    if not targets:
        over, over_params = "day < %s", [today - dt.timedelta(days=default)]
    table = connection.ops.quote_name(CaseSummary._meta.db_table)
    cursor.execute(
        f"""
        INSERT INTO {table} (pathway, status, assignee_id, team_id, province, bucket, cases,
                             people, over_target)
        SELECT pathway, status, assignee_id, team_id, province, bucket, COUNT(*), SUM(people),
               SUM(CASE WHEN is_over THEN 1 ELSE 0 END)
        FROM (SELECT pathway, status, assignee_id, team_id, province, people,
                     {bucket} AS bucket, ({over}) AS is_over
              FROM reports_case_facts WHERE status <> %s) open_cases
        GROUP BY pathway, status, assignee_id, team_id, province, bucket
        """,  # noqa: S608
        [*bucket_params, *over_params, Case.Status.CLOSED],
    )


def _day_summaries(cursor: CursorWrapper) -> None:
    table = connection.ops.quote_name(CaseDaySummary._meta.db_table)
    cursor.execute(
        f"""
        INSERT INTO {table} (day, pathway, province, cases, people)
        SELECT day, pathway, province, COUNT(*), SUM(people) FROM reports_case_facts
        GROUP BY day, pathway, province
        """  # noqa: S608
    )
    day_sql, day_params = _local_date("r.received_at")
    table = connection.ops.quote_name(RequestSummary._meta.db_table)
    cursor.execute(
        f"""
        INSERT INTO {table} (day, channel, province, requests, people)
        SELECT day, channel, province, COUNT(*), SUM(people)
        FROM (SELECT {day_sql} AS day, r.channel, COALESCE(p.province, '') AS province,
                     COALESCE(p.people, 0) AS people
              FROM intake_request r
              LEFT JOIN (SELECT request_id, COUNT(*) AS people,
                                MIN(CASE WHEN province <> '' THEN province END) AS province
                         FROM intake_personrecord GROUP BY request_id) p
                ON p.request_id = r.id) requests
        GROUP BY day, channel, province
        """,  # noqa: S608
        day_params,
    )


def _message_summary(cursor: CursorWrapper) -> None:
    day_sql, day_params = _local_date("m.created_at")
    quote = connection.ops.quote_name
    table, outbox = quote(MessageDaySummary._meta.db_table), quote(Message._meta.db_table)
    cursor.execute(
        f"""
        INSERT INTO {table} (day, channel, status, messages)
        SELECT day, channel, status, COUNT(*)
        FROM (SELECT {day_sql} AS day, m.channel, m.status FROM {outbox} m) messages
        GROUP BY day, channel, status
        """,  # noqa: S608
        day_params,
    )


def _coarse_summaries(cursor: CursorWrapper) -> None:
    """The same counts without the province, from the tables just written (cheap)."""
    quote = connection.ops.quote_name
    work, fine = quote(CaseWorkSummary._meta.db_table), quote(CaseSummary._meta.db_table)
    cursor.execute(
        f"""
        INSERT INTO {work} (pathway, status, assignee_id, team_id, bucket, cases, people,
                            over_target)
        SELECT pathway, status, assignee_id, team_id, bucket, SUM(cases), SUM(people),
               SUM(over_target)
        FROM {fine} GROUP BY pathway, status, assignee_id, team_id, bucket
        """  # noqa: S608
    )
    days, requests = quote(RequestDaySummary._meta.db_table), quote(RequestSummary._meta.db_table)
    cursor.execute(
        f"""
        INSERT INTO {days} (day, channel, requests, people)
        SELECT day, channel, SUM(requests), SUM(people) FROM {requests} GROUP BY day, channel
        """  # noqa: S608
    )


@transaction.atomic
def summaries_rebuild() -> SummaryState:
    """Replace the summary tables from the cases and requests; returns the new state."""
    from .providers import default_target_days, targets

    state, _ = SummaryState.objects.get_or_create(key="desk")
    # Lock the state row: two rebuilds at once would each delete and insert, doubling counts.
    # No key of the locked rows changes (no delete, no unique column): FOR NO KEY UPDATE
    # on PostgreSQL, which does not hold up inserts of rows referencing them.
    state = SummaryState.objects.select_for_update(no_key=True).get(pk=state.pk)
    started = time.monotonic()
    for model in (
        CaseSummary,
        CaseWorkSummary,
        CaseDaySummary,
        RequestSummary,
        RequestDaySummary,
        MessageDaySummary,
    ):
        model.objects.all().delete()
    with connection.cursor() as cursor:
        _fill_case_facts(cursor)
        _case_summary(cursor, timezone.localdate(), targets(), default_target_days())
        _day_summaries(cursor)
        cursor.execute("DROP TABLE reports_case_facts")
        _coarse_summaries(cursor)
        _message_summary(cursor)
    state.built_at = timezone.now()
    state.took_ms = int((time.monotonic() - started) * 1000)
    state.save(update_fields=["built_at", "took_ms"])
    return state


def summaries_current() -> SummaryState:
    """The summaries, rebuilt first when stale and quick to rebuild (see the module doc)."""
    state = SummaryState.objects.filter(key="desk").first()
    if state is None or state.built_at is None:
        return summaries_rebuild()
    age = (timezone.now() - state.built_at).total_seconds()
    if age >= _max_age_seconds() and state.took_ms <= _live_rebuild_limit_ms():
        return summaries_rebuild()
    return state


def summaries_periodic() -> str:
    """The periodic job: rebuild when older than the maximum age (idempotent)."""
    state = SummaryState.objects.filter(key="desk").first()
    if state is not None and state.built_at is not None:
        age = (timezone.now() - state.built_at).total_seconds()
        if age < _max_age_seconds():
            return "summaries fresh"
    state = summaries_rebuild()
    drawn = charts_prewarm()
    return f"summaries rebuilt in {state.took_ms} ms; {drawn} charts drawn"


def charts_prewarm() -> int:
    """Draw the default dashboard's charts in every language, so the first supervisor to
    open it after a rebuild does not wait for them (the figures themselves are counts)."""
    from django.utils import translation

    from .charts import chart_svg
    from .figures import ReportContext, figures_build
    from .filters import default_filters

    drawn = 0
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for full in (True, False):
                context = ReportContext(
                    filters=default_filters(), user=None, today=timezone.localdate(), full=full
                )
                for table in figures_build(context):
                    if table.key != "cases_per_worker" or full:
                        drawn += bool(chart_svg(table, publish=True))
    return drawn
