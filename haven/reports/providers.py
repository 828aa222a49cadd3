"""The figures reports ships for what exists now (registered in ReportsConfig.ready()).

Everything reads the summary tables (summary.py) or a partial index; every cell links to the
case list (or the review queue) filtered to exactly the cases behind it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.db.models import QuerySet, Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from haven.accounts.models import User
from haven.cases.models import Case
from haven.intake.models import Channel, Request
from haven.resolution.models import ReviewItem
from haven.triage.pathways import PATHWAYS, pathway_label
from haven.triage.selectors import pathway_targets

from .figures import Cell, FigureTable, ReportContext, Row, case_list_url, register
from .models import (
    CaseDaySummary,
    CaseSummary,
    CaseWorkSummary,
    RequestDaySummary,
    RequestSummary,
)

OPEN_STATUSES = [s for s in Case.Status.values if s != Case.Status.CLOSED]
# Ageing buckets in days waiting since the first request: (label, lowest, highest or None).
BUCKETS: list[tuple[str, int, int | None]] = [
    ("0–7", 0, 7),
    ("8–30", 8, 30),
    ("31–60", 31, 60),
    ("61–90", 61, 90),
    ("91+", 91, None),
]
WEEKLY_AFTER_DAYS = 62


def default_target_days() -> int:
    """Target for a pathway the active guidance gives none (or with no guidance active)."""
    return int(getattr(settings, "HAVEN_REPORTS_DEFAULT_TARGET_DAYS", 30))


def targets() -> dict[str, int]:
    return pathway_targets()


def _slice(context: ReportContext) -> dict[str, object]:
    """The filters' slice as case-list parameters (shared by every link)."""
    f = context.filters
    return {"pathway": f.pathway, "team": f.team, "assignee": f.assignee, "province": f.province}


def case_summaries(context: ReportContext) -> QuerySet[Any]:
    """Open cases' summary rows in the filters' slice (the smaller table without provinces
    unless a province is asked for)."""
    f = context.filters
    rows: QuerySet[Any] = (
        CaseSummary.objects.filter(province__iexact=f.province)
        if f.province
        else CaseWorkSummary.objects.all()
    )
    if f.pathway:
        rows = rows.filter(pathway=f.pathway)
    if f.team:
        rows = rows.filter(team_id=f.team)
    if f.assignee:
        rows = rows.filter(assignee_id=f.assignee)
    return rows


def request_summaries(context: ReportContext) -> QuerySet[Any]:
    f = context.filters
    if f.province:
        rows: QuerySet[Any] = RequestSummary.objects.filter(province__iexact=f.province)
    else:
        rows = RequestDaySummary.objects.all()
    return rows.filter(day__gte=f.date_from, day__lte=f.date_to)


def day_summaries(context: ReportContext) -> QuerySet[CaseDaySummary]:
    """Cases by first-request day (any status), for new cases in a period: pathway and
    province apply; team and worker do not (a case's worker changes after it opens)."""
    f = context.filters
    rows = CaseDaySummary.objects.filter(day__gte=f.date_from, day__lte=f.date_to)
    if f.pathway:
        rows = rows.filter(pathway=f.pathway)
    if f.province:
        rows = rows.filter(province__iexact=f.province)
    return rows


def _pathway_order(pathways: set[str]) -> list[str]:
    known = [p for p in PATHWAYS if p in pathways]
    return known + sorted(pathways - set(known))


def _pathway_name(pathway: str) -> str:
    return pathway_label(pathway) if pathway else _("Not yet triaged")


# -- requests per day by channel -------------------------------------------------
def _periods(date_from: dt.date, date_to: dt.date) -> list[tuple[dt.date, dt.date]]:
    """Days, or weeks (from Monday) when the period is long, covering the whole period."""
    if (date_to - date_from).days + 1 <= WEEKLY_AFTER_DAYS:
        days = (date_to - date_from).days + 1
        return [(date_from + dt.timedelta(d), date_from + dt.timedelta(d)) for d in range(days)]
    periods = []
    start = date_from
    while start <= date_to:
        end = min(start + dt.timedelta(days=6 - start.weekday()), date_to)
        periods.append((start, end))
        start = end + dt.timedelta(days=1)
    return periods


def requests_per_day(context: ReportContext) -> list[FigureTable]:
    f = context.filters
    rows = request_summaries(context)
    counts: dict[tuple[dt.date, str], int] = defaultdict(int)
    for day, channel, n in (
        rows.values_list("day", "channel").annotate(n=Sum("requests")).order_by()
    ):
        counts[(day, channel)] += n
    channels = [c for c in Channel.values if any(k[1] == c for k in counts)]
    periods = _periods(f.date_from, f.date_to)
    weekly = len(periods) and periods[0][0] != periods[-1][1] and len(periods) < f.days
    table_rows = []
    for start, end in periods:
        cells = []
        for channel in channels:
            n = sum(v for (day, c), v in counts.items() if c == channel and start <= day <= end)
            url = case_list_url(
                channel=channel, received_from=start, received_to=end, province=f.province
            )
            cells.append(Cell(n, url))
        label = start.isoformat() if start == end else f"{start.isoformat()} – {end.isoformat()}"
        table_rows.append(Row(label=label, cells=cells, key=start.isoformat()))
    title = _("Requests per week by channel") if weekly else _("Requests per day by channel")
    return [
        FigureTable(
            key="requests_per_day",
            title=title,
            row_header=_("Week from") if weekly else _("Day"),
            columns=[str(Channel(c).label) for c in channels],
            column_keys=channels,
            rows=table_rows if channels else [],
            note=_("Requests received in the period; pathway, team and worker do not apply."),
            empty=_("No requests were received in this period."),
        )
    ]


# -- open cases by pathway and status ------------------------------------------------
def open_cases(context: ReportContext) -> list[FigureTable]:
    counts: dict[tuple[str, str], int] = {}
    grouped = (
        case_summaries(context)
        .filter(status__in=OPEN_STATUSES)
        .values_list("pathway", "status")
        .annotate(n=Sum("cases"))
        .order_by()
    )
    for pathway, status, n in grouped:
        counts[(pathway, status)] = n
    pathways = _pathway_order({p for p, _s in counts})
    statuses = [s for s in OPEN_STATUSES if any(k[1] == s for k in counts)]
    base = _slice(context)
    rows = []
    for pathway in pathways:
        cells = [
            Cell(
                counts.get((pathway, s), 0),
                case_list_url(**{**base, "pathway": pathway or "none", "status": s}),
            )
            for s in statuses
        ]
        total = sum(c.value for c in cells)
        cells.append(
            Cell(total, case_list_url(**{**base, "pathway": pathway or "none", "open": 1}))
        )
        rows.append(Row(label=_pathway_name(pathway), cells=cells, key=pathway))
    return [
        FigureTable(
            key="open_cases",
            title=_("Open cases by pathway and status"),
            row_header=_("Pathway"),
            columns=[str(Case.Status(s).label) for s in statuses] + [_("All open")],
            column_keys=[*statuses, "total"],
            rows=rows,
            note=_("Cases open now; the period does not apply."),
            empty=_("No open cases match these filters."),
        )
    ]


# -- ageing against each pathway's target ------------------------------------------------
def ageing(context: ReportContext) -> list[FigureTable]:
    today = context.today
    counts: dict[str, dict[int, tuple[int, int]]] = defaultdict(dict)
    grouped = (
        case_summaries(context)
        .values_list("pathway", "bucket")
        .annotate(n=Sum("cases"), over=Sum("over_target"))
        .order_by()
    )
    for pathway, bucket, n, over in grouped:
        counts[pathway][bucket] = (n, over)
    pathway_targets_days = targets()
    default = default_target_days()
    base = _slice(context)
    rows = []
    for pathway in _pathway_order(set(counts)):
        target = pathway_targets_days.get(pathway, default)
        params = {**base, "pathway": pathway or "none", "open": 1}
        cells = []
        for index, (_label, low, high) in enumerate(BUCKETS):
            n = counts[pathway].get(index, (0, 0))[0]
            first_to = today - dt.timedelta(days=low)
            first_from = today - dt.timedelta(days=high) if high is not None else None
            cells.append(Cell(n, case_list_url(**params, first_from=first_from, first_to=first_to)))
        over = sum(o for _n, o in counts[pathway].values())
        over_url = case_list_url(**params, first_to=today - dt.timedelta(days=target + 1))
        cells.append(Cell(target))
        cells.append(Cell(over, over_url))
        rows.append(Row(label=_pathway_name(pathway), cells=cells, key=pathway))
    days = _("days")
    return [
        FigureTable(
            key="ageing",
            title=_("Ageing of open cases against each pathway's target"),
            row_header=_("Pathway"),
            columns=[f"{label} {days}" for label, _l, _h in BUCKETS]
            + [_("Target (days)"), _("Over target")],
            column_keys=[label for label, _l, _h in BUCKETS] + ["target", "over_target"],
            rows=rows,
            note=_(
                "Days waiting since the case's first request. Targets come from the active "
                "guidance (pathway_targets_days); %(default)s days where it sets none."
            )
            % {"default": default},
            empty=_("No open cases match these filters."),
        )
    ]


# -- backlogs --------------------------------------------------------------------------
def backlog(context: ReportContext) -> list[FigureTable]:
    # Each is a handful of rows found through a partial index: counted live.
    review = ReviewItem.objects.filter(status=ReviewItem.Status.OPEN).count()
    data_entry = Request.objects.filter(needs_data_entry=True).count()
    pending = Request.objects.filter(pipeline_pending=True).count()
    rows = [
        Row(
            _("Possible duplicates waiting for review"),
            [Cell(review, reverse("resolution:review_queue"))],
            "review_queue",
        ),
        Row(
            _("Requests that need data entry"),
            [Cell(data_entry, case_list_url(data_entry=1))],
            "data_entry",
        ),
        Row(_("Requests waiting to be matched"), [Cell(pending)], "pipeline_pending"),
    ]
    return [
        FigureTable(
            key="backlog",
            title=_("Review queue and data-entry backlog"),
            row_header=_("Backlog"),
            columns=[_("Count")],
            column_keys=["count"],
            rows=rows,
            chart="bar",
            note=_("Now, for the whole desk; the filters do not apply."),
        )
    ]


# -- cases per worker -------------------------------------------------------------------
def cases_per_worker(context: ReportContext) -> list[FigureTable]:
    rows_qs = case_summaries(context).filter(status__in=OPEN_STATUSES)
    if not context.full and context.user is not None:
        # The reduced dashboard: a caseworker sees their own caseload only.
        rows_qs = rows_qs.filter(assignee_id=context.user.pk)
    counts: dict[tuple[int | None, str], int] = {}
    for assignee, status, n in (
        rows_qs.values_list("assignee_id", "status").annotate(n=Sum("cases")).order_by()
    ):
        counts[(assignee, status)] = n
    ids = sorted({a for a, _s in counts if a is not None})
    names = dict(User.objects.filter(pk__in=ids).values_list("pk", "username"))
    statuses = [s for s in OPEN_STATUSES if any(k[1] == s for k in counts)]
    base = _slice(context)
    rows = []
    for assignee in [*ids, None] if context.full else ids:
        if not any(k[0] == assignee for k in counts):
            continue
        who = "none" if assignee is None else assignee
        cells = [
            Cell(
                counts.get((assignee, s), 0),
                case_list_url(**{**base, "assignee": who, "status": s}),
            )
            for s in statuses
        ]
        cells.append(
            Cell(sum(c.value for c in cells), case_list_url(**{**base, "assignee": who, "open": 1}))
        )
        label = names.get(assignee, str(assignee)) if assignee is not None else _("Not assigned")
        rows.append(Row(label=label, cells=cells, key=str(who)))
    return [
        FigureTable(
            key="cases_per_worker",
            title=_("Open cases per worker") if context.full else _("My open cases"),
            row_header=_("Worker"),
            columns=[str(Case.Status(s).label) for s in statuses] + [_("All open")],
            column_keys=[*statuses, "total"],
            rows=rows,
            note=_("Cases open now; the period does not apply."),
            empty=_("No open cases are assigned."),
        )
    ]


def register_builtin() -> None:
    register(key="reports.requests_per_day", build=requests_per_day)
    register(key="reports.open_cases", build=open_cases)
    register(key="reports.ageing", build=ageing)
    register(key="reports.backlog", build=backlog)
    register(key="reports.cases_per_worker", build=cases_per_worker)
