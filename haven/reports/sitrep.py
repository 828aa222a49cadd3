"""The situation report: headline figures with the change since the previous period of the
same length, the charts, backlog and ageing, referrals by partner (once the referrals app
registers its figures) and notable changes, as PDF (WeasyPrint) or XLSX (one sheet per table).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Sum
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from haven.triage.models import GuidanceVersion

from . import selectors
from .charts import chart_png_uri
from .figures import FigureTable, ReportContext
from .filters import ReportFilters
from .models import RequestDaySummary
from .providers import case_summaries, day_summaries, request_summaries
from .templatetags.reports_figures import isolate

LANGUAGES = ("en", "fa-af", "ps")
# Figures drawn as charts in the PDF; the others (and any table a later app registers) are
# tables only, so the report stays within two pages.
CHARTED = {"requests_per_day", "open_cases", "ageing"}
TABULATED_NOT = {"requests_per_day", "open_cases"}
Progress = Callable[[int], None]


@dataclass(frozen=True)
class Headline:
    key: str
    label: str
    value: int
    previous: int | None = None

    @property
    def change(self) -> str:
        if self.previous is None:
            return ""
        delta = self.value - self.previous
        return f"+{delta:,}" if delta > 0 else f"{delta:,}" if delta < 0 else "±0"


@dataclass(frozen=True)
class Sitrep:
    filters: ReportFilters
    generated_at: dt.datetime
    headlines: list[Headline]
    tables: list[FigureTable]
    notable: list[str]
    language: str

    def table(self, key: str) -> FigureTable | None:
        return next((t for t in self.tables if t.key == key), None)


def _requests_in(context: ReportContext, filters: ReportFilters) -> int:
    rows = request_summaries(dataclasses.replace(context, filters=filters))
    return rows.aggregate(n=Sum("requests"))["n"] or 0


def _cases_opened(context: ReportContext, filters: ReportFilters) -> tuple[int, int]:
    rows = day_summaries(dataclasses.replace(context, filters=filters))
    totals = rows.aggregate(cases=Sum("cases"), people=Sum("people"))
    return totals["cases"] or 0, totals["people"] or 0


def _headlines(context: ReportContext, tables: list[FigureTable]) -> list[Headline]:
    f = context.filters
    before = f.previous()
    opened, people = _cases_opened(context, f)
    opened_before, people_before = _cases_opened(context, before)
    open_now = case_summaries(context).aggregate(n=Sum("cases"))["n"] or 0
    ageing = next(t for t in tables if t.key == "ageing")
    backlog = next(t for t in tables if t.key == "backlog")
    over = sum(r.cells[ageing.column_keys.index("over_target")].value for r in ageing.rows)
    return [
        Headline(
            "requests",
            _("Requests received"),
            _requests_in(context, f),
            _requests_in(context, before),
        ),
        Headline("cases_opened", _("New cases (households)"), opened, opened_before),
        Headline("people", _("People in new cases"), people, people_before),
        Headline("open_cases", _("Open cases now"), open_now),
        Headline("over_target", _("Open cases over target"), over),
        Headline(
            "review_queue",
            _("Possible duplicates to review"),
            backlog.value("review_queue", "count"),
        ),
        Headline(
            "data_entry", _("Requests needing data entry"), backlog.value("data_entry", "count")
        ),
    ]


def _notable(filters: ReportFilters, headlines: list[Headline]) -> list[str]:
    start = timezone.make_aware(dt.datetime.combine(filters.date_from, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(filters.date_to + dt.timedelta(1), dt.time.min))
    notes = [
        _("Guidance %(label)s activated on %(day)s.")
        % {"label": g.label, "day": isolate(timezone.localtime(g.activated_at).date().isoformat())}
        for g in GuidanceVersion.objects.filter(
            activated_at__gte=start, activated_at__lt=end
        ).order_by("activated_at")
        if g.activated_at is not None
    ]
    requests = next(h for h in headlines if h.key == "requests")
    if requests.previous and requests.value >= 2 * requests.previous:
        notes.append(
            _("Requests more than doubled against the previous period (%(before)s → %(now)s).")
            % {"before": f"{requests.previous:,}", "now": f"{requests.value:,}"}
        )
    busiest = (
        RequestDaySummary.objects.filter(day__gte=filters.date_from, day__lte=filters.date_to)
        .values("day")
        .annotate(n=Sum("requests"))
        .order_by("-n", "day")
        .first()
    )
    if busiest and busiest["n"]:
        notes.append(
            _("Busiest day: %(day)s with %(n)s requests.")
            % {"day": isolate(busiest["day"].isoformat()), "n": f"{busiest['n']:,}"}
        )
    return notes


def sitrep_build(
    *, filters: ReportFilters, language: str = "en", progress: Progress | None = None
) -> Sitrep:
    report = progress or (lambda _p: None)
    with translation.override(language):
        board = selectors.dashboard(user=None, filters=filters)
        report(40)
        context = ReportContext(filters=filters, user=None, today=timezone.localdate())
        headlines = _headlines(context, board.tables)
        notable = _notable(filters, headlines)
        report(60)
        return Sitrep(
            filters=filters,
            generated_at=timezone.now(),
            headlines=headlines,
            tables=board.tables,
            notable=notable,
            language=language,
        )


def _html(sitrep: Sitrep) -> str:
    with translation.override(sitrep.language):
        charted = [
            (t, chart_png_uri(t, width=420) if t.key in CHARTED else "", t.key not in TABULATED_NOT)
            for t in sitrep.tables
            if t.key != "cases_per_worker"  # names of staff stay on the dashboard
        ]
        return render_to_string(
            "reports/sitrep.html",
            {
                "sitrep": sitrep,
                "charted": charted,
                "bidi": translation.get_language_bidi(),
            },
        )


def sitrep_pdf(sitrep: Sitrep) -> bytes:
    import weasyprint

    pdf: bytes = weasyprint.HTML(string=_html(sitrep)).write_pdf()
    return pdf


def sitrep_xlsx(sitrep: Sitrep) -> bytes:
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False})
    bold = book.add_format({"bold": True})
    rtl = sitrep.language != "en"
    with translation.override(sitrep.language):
        sheet = book.add_worksheet(_("Headline")[:31])
        if rtl:
            sheet.right_to_left()
        sheet.write_row(
            0, 0, [_("Figure"), _("This period"), _("Previous period"), _("Change")], bold
        )
        for i, h in enumerate(sitrep.headlines, start=1):
            sheet.write_string(i, 0, h.label)
            sheet.write_number(i, 1, h.value)
            if h.previous is not None:
                sheet.write_number(i, 2, h.previous)
                sheet.write_string(i, 3, h.change)
        sheet.set_column(0, 0, 40)
        used = {sheet.name}
        for table in sitrep.tables:
            name = table.title[:31]
            suffix = 2
            while name in used:
                name = f"{table.title[:28]} {suffix}"
                suffix += 1
            used.add(name)
            sheet = book.add_worksheet(name.replace("/", "-"))
            if rtl:
                sheet.right_to_left()
            sheet.write_row(0, 0, [table.row_header, *table.columns], bold)
            for i, row in enumerate(table.rows, start=1):
                sheet.write_string(i, 0, row.label)
                for j, cell in enumerate(row.cells, start=1):
                    sheet.write_number(i, j, cell.value)
            sheet.set_column(0, 0, 36)
        sheet = book.add_worksheet(_("Notable changes")[:31])
        for i, line in enumerate(sitrep.notable):
            sheet.write_string(i, 0, line)
    book.close()
    return out.getvalue()


def sitrep_render(sitrep: Sitrep, fmt: str) -> bytes:
    return sitrep_pdf(sitrep) if fmt == "pdf" else sitrep_xlsx(sitrep)
