"""Summary tables for the dashboard: the desk's counts grouped small enough to read in
milliseconds at a million cases (docs/reports.md).

A rebuild replaces both tables in one transaction with two INSERT … SELECT statements that
the ORM writes for the database in use (SQLite or PostgreSQL). The dashboard rebuilds them
itself when they are older than HAVEN_REPORTS_SUMMARY_MAX_AGE_SECONDS and the last rebuild was
quick (a small desk is always live); on a large desk the periodic job `reports.summaries`
(`haven tick`) rebuilds them and the dashboard says how old its figures are.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, IntegerField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from haven.cases.models import Case, CaseMember, CaseRequest
from haven.intake.models import PersonRecord, Relationship, Request

from .models import CaseSummary, RequestSummary, SummaryState


def _max_age_seconds() -> int:
    return int(getattr(settings, "HAVEN_REPORTS_SUMMARY_MAX_AGE_SECONDS", 60))


def _live_rebuild_limit_ms() -> int:
    return int(getattr(settings, "HAVEN_REPORTS_LIVE_REBUILD_MS", 1500))


CASE_COLUMNS = [
    "waiting_day",
    "pathway",
    "status",
    "assignee_id",
    "team_id",
    "province",
    "cases",
    "people",
]
CASE_ALIASES = ["day", "pathway", "status", "assignee", "team", "province", "cases", "people"]


def _case_rows() -> QuerySet[Any, Any]:
    tz = timezone.get_current_timezone()
    first_received = Subquery(
        CaseRequest.objects.filter(case_id=OuterRef("pk"))
        .order_by("request__received_at")
        .values("request__received_at")[:1]
    )
    province = Subquery(
        PersonRecord.objects.filter(
            request__case_links__case_id=OuterRef("pk"), relationship=Relationship.PRINCIPAL
        )
        .exclude(province="")
        .order_by("request__received_at", "id")
        .values("province")[:1]
    )
    members = Subquery(
        CaseMember.objects.filter(case_id=OuterRef("pk"), merged_into__isnull=True)
        .order_by()
        .values("case_id")
        .annotate(n=Count("id"))
        .values("n"),
        output_field=IntegerField(),
    )
    return (
        Case.objects.annotate(
            g_day=TruncDate(Coalesce(first_received, F("created_at")), tzinfo=tz),
            g_pathway=F("pathway"),
            g_status=F("status"),
            g_assignee=F("assignee_id"),
            g_team=F("assignee__organization_id"),
            g_province=Coalesce(province, Value("")),
            g_members=Coalesce(members, Value(0)),
        )
        .values("g_day", "g_pathway", "g_status", "g_assignee", "g_team", "g_province")
        .annotate(g_cases=Count("id"), g_people=Sum("g_members"))
        .order_by()
    )


def _request_rows() -> QuerySet[Any, Any]:
    tz = timezone.get_current_timezone()
    province = Subquery(
        PersonRecord.objects.filter(request_id=OuterRef("pk"))
        .exclude(province="")
        .order_by("position")
        .values("province")[:1]
    )
    people = Subquery(
        PersonRecord.objects.filter(request_id=OuterRef("pk"))
        .order_by()
        .values("request_id")
        .annotate(n=Count("id"))
        .values("n"),
        output_field=IntegerField(),
    )
    return (
        Request.objects.annotate(
            g_day=TruncDate("received_at", tzinfo=tz),
            g_channel=F("channel"),
            g_province=Coalesce(province, Value("")),
            g_people=Coalesce(people, Value(0)),
        )
        .values("g_day", "g_channel", "g_province")
        .annotate(g_requests=Count("id"), g_sum_people=Sum("g_people"))
        .order_by()
    )


def _insert_from(table: str, columns: list[str], aliases: list[str], rows: QuerySet) -> None:
    sql, params = rows.query.sql_with_params()
    quote = connection.ops.quote_name
    select = ", ".join(f"grouped.{quote(a)}" for a in aliases)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(table)} ({', '.join(quote(c) for c in columns)}) "  # noqa: S608 (names are ours)
            f"SELECT {select} FROM ({sql}) grouped",
            params,
        )


@transaction.atomic
def summaries_rebuild() -> SummaryState:
    """Replace both summary tables from the cases and requests; returns the new state."""
    state, _ = SummaryState.objects.get_or_create(key="desk")
    # Lock the state row: two rebuilds at once would each delete and insert, doubling counts.
    state = SummaryState.objects.select_for_update().get(pk=state.pk)
    started = time.monotonic()
    CaseSummary.objects.all().delete()
    RequestSummary.objects.all().delete()
    _insert_from(
        CaseSummary._meta.db_table,
        CASE_COLUMNS,
        [f"g_{c}" for c in CASE_ALIASES],
        _case_rows(),
    )
    _insert_from(
        RequestSummary._meta.db_table,
        ["day", "channel", "province", "requests", "people"],
        ["g_day", "g_channel", "g_province", "g_requests", "g_sum_people"],
        _request_rows(),
    )
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
    return f"summaries rebuilt in {state.took_ms} ms"
