"""HXL exports of aggregates: cases (households) and people per province, pathway and/or day,
with the HXL hashtag row under the header, small counts suppressed.

Counts come from the summary tables, for cases whose first request arrived in the period.
A row whose households or people fall below HAVEN_REPORTS_HXL_MIN_COUNT (default 5) has both
counts blanked: publishing "2 households, 9 people in Nuristan on P-1" can single a family out.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db.models import Sum
from django.utils.translation import gettext as _

from haven.accounts.models import Organization
from haven.triage.pathways import pathway_label

from .figures import ReportContext
from .filters import ReportFilters
from .providers import day_summaries

DIMENSIONS = {
    # name: (header, hashtag)
    "date": ("Date", "#date+reported"),
    "province": ("Province", "#adm1+name"),
    "pathway": ("Pathway", "#status+pathway"),
}
FIXED = [("Organisation", "#org"), ("Sector", "#sector")]
COUNTS = [("Households (cases)", "#affected+hh"), ("People", "#affected+ind")]


def min_count() -> int:
    return int(getattr(settings, "HAVEN_REPORTS_HXL_MIN_COUNT", 5))


class HxlError(ValueError):
    pass


def slice_refusal() -> str:
    """Why an HXL file is never cut by team or worker (docs/reports.md, "HXL")."""
    return str(
        _(
            "HXL files are for sharing outside the task force, so they are not cut by team or "
            "worker: one worker's caseload is few enough households to single them out, and "
            "it names a member of staff. Clear the team and worker filters; the dashboard "
            "shows those figures inside the task force."
        )
    )


def refuse_slices(filters: ReportFilters) -> None:
    if filters.team is not None or filters.assignee is not None:
        raise HxlError(slice_refusal())


def parse_by(value: str) -> list[str]:
    """`province,pathway,date` → dimensions in that order; a clear error for anything else."""
    names = [v.strip() for v in (value or "province,pathway").split(",") if v.strip()]
    unknown = [n for n in names if n not in DIMENSIONS]
    if unknown or not names:
        raise HxlError(
            f"Unknown grouping {', '.join(unknown) or '(none)'}: use any of "
            f"{', '.join(DIMENSIONS)}, separated by commas."
        )
    if len(set(names)) != len(names):
        raise HxlError("Each grouping may be named once.")
    return names


@dataclass(frozen=True)
class HxlTable:
    headers: list[str]
    hashtags: list[str]
    rows: list[list[str | int]]
    suppressed: int


def _org_name() -> str:
    configured = getattr(settings, "HAVEN_REPORTS_ORG_NAME", "")
    if configured:
        return str(configured)
    org = Organization.objects.filter(kind=Organization.Kind.TASK_FORCE).order_by("id").first()
    return org.name if org is not None else "Haven task force"


def hxl_table(context: ReportContext, by: list[str]) -> HxlTable:
    refuse_slices(context.filters)
    fields = {"date": "day", "province": "province", "pathway": "pathway"}
    grouped = (
        day_summaries(context)
        .values_list(*[fields[d] for d in by])
        .annotate(households=Sum("cases"), people=Sum("people"))
        .order_by()
    )
    totals: dict[tuple[object, ...], list[int]] = defaultdict(lambda: [0, 0])
    for *keys, households, people in grouped:
        # Provinces are typed by people: "Kabul" and "kabul " are one province.
        keys = [
            k.strip().title() if d == "province" and k else k for d, k in zip(by, keys, strict=True)
        ]
        total = totals[tuple(keys)]
        total[0] += households
        total[1] += people
    threshold = min_count()
    org = _org_name()
    rows: list[list[str | int]] = []
    suppressed = 0
    for keys in sorted(totals, key=lambda k: tuple(str(v) for v in k)):
        households, people = totals[keys]
        cells: list[str | int] = []
        for dimension, key in zip(by, keys, strict=True):
            if dimension == "date":
                cells.append(key.isoformat())  # type: ignore[attr-defined]
            elif dimension == "pathway":
                cells.append(pathway_label(str(key)) if key else "Not yet triaged")
            else:
                cells.append(str(key) or "Unknown")
        cells += [org, "Protection"]
        if households < threshold or people < threshold:
            suppressed += 1
            cells += ["", ""]
        else:
            cells += [households, people]
        rows.append(cells)
    headers = [DIMENSIONS[d][0] for d in by] + [h for h, _t in FIXED + COUNTS]
    hashtags = [DIMENSIONS[d][1] for d in by] + [t for _h, t in FIXED + COUNTS]
    return HxlTable(headers=headers, hashtags=hashtags, rows=rows, suppressed=suppressed)


def hxl_csv(table: HxlTable) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.headers)
    writer.writerow(table.hashtags)
    writer.writerows(table.rows)
    return out.getvalue().encode("utf-8")


def hxl_xlsx(table: HxlTable) -> bytes:
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet("HXL")
    bold = book.add_format({"bold": True})
    sheet.write_row(0, 0, table.headers, bold)
    sheet.write_row(1, 0, table.hashtags)
    for i, row in enumerate(table.rows, start=2):
        for j, value in enumerate(row):
            if isinstance(value, int):
                sheet.write_number(i, j, value)
            else:
                sheet.write_string(i, j, value)
    book.close()
    return out.getvalue()


def hxl_write(table: HxlTable, path: Path) -> None:
    if path.suffix.lower() == ".xlsx":
        path.write_bytes(hxl_xlsx(table))
    elif path.suffix.lower() == ".csv":
        path.write_bytes(hxl_csv(table))
    else:
        raise HxlError("The file must end in .csv or .xlsx.")
