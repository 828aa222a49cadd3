"""`haven report sitrep|hxl`: the situation report and HXL aggregates from the command line.

    haven report sitrep --out FILE.pdf|FILE.xlsx [--since DATE] [--until DATE] [--lang en|fa-af|ps]
    haven report hxl --out FILE.csv|FILE.xlsx [--by province,pathway,date] [--since DATE]
        (--team and --worker are refused: HXL leaves the task force, see docs/reports.md)

Refusals (a bad date, a period out of order or too long, an unknown grouping or file type)
are one line on stderr and exit code 2.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from haven.reports import hxl
from haven.reports.figures import ReportContext
from haven.reports.filters import ReportFilters, period_error
from haven.reports.services import sitrep_audit
from haven.reports.sitrep import LANGUAGES, sitrep_build, sitrep_render
from haven.reports.summary import summaries_current

DEFAULT_DAYS = 7


def _date(value: str | None, name: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            f"{name} {value!r} is not a date: write it as YYYY-MM-DD.", returncode=2
        ) from None


class Command(BaseCommand):
    help = "Write the situation report (PDF or XLSX) or HXL aggregates (CSV or XLSX)."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        sitrep = sub.add_parser("sitrep", help="the situation report")
        hxl_parser = sub.add_parser("hxl", help="HXL aggregates, small counts suppressed")
        for p in (sitrep, hxl_parser):
            p.add_argument("--out", required=True)
            p.add_argument("--since", help=f"first day (default {DEFAULT_DAYS} days ago)")
            p.add_argument("--until", help="last day (default today)")
            p.add_argument("--province", default="")
            p.add_argument("--pathway", default="")
        sitrep.add_argument("--lang", default="en", choices=LANGUAGES)
        hxl_parser.add_argument("--by", default="province,pathway")
        # Named so that asking for them gets the reason, not "unrecognized arguments".
        hxl_parser.add_argument("--team", help="refused: HXL is not cut by team")
        hxl_parser.add_argument(
            "--worker", "--assignee", dest="worker", help="refused: nor by worker"
        )

    def _filters(self, options: dict[str, Any]) -> ReportFilters:
        until = _date(options.get("until"), "--until") or timezone.localdate()
        since = _date(options.get("since"), "--since") or until - dt.timedelta(
            days=DEFAULT_DAYS - 1
        )
        error = period_error(since, until)
        if error:
            raise CommandError(error, returncode=2)
        return ReportFilters(
            date_from=since, date_to=until, province=options["province"], pathway=options["pathway"]
        )

    def handle(self, *args: Any, **options: Any) -> None:
        out = Path(options["out"])
        filters = self._filters(options)
        if options["what"] == "sitrep":
            fmt = out.suffix.lower().lstrip(".")
            if fmt not in ("pdf", "xlsx"):
                raise CommandError("The sitrep is written as .pdf or .xlsx.", returncode=2)
            report = sitrep_build(filters=filters, language=options["lang"])
            out.write_bytes(sitrep_render(report, fmt))
            sitrep_audit(user=None, filters=filters, fmt=fmt, language=options["lang"])
            for headline in report.headlines:
                change = f" ({headline.change})" if headline.change else ""
                self.stdout.write(f"{headline.label}: {headline.value:,}{change}")
            self.stdout.write(f"Wrote {out}")
            return
        try:
            if options.get("team") or options.get("worker"):
                raise hxl.HxlError(hxl.slice_refusal())
            by = hxl.parse_by(options["by"])
            if out.suffix.lower() not in (".csv", ".xlsx"):
                raise hxl.HxlError("HXL is written as .csv or .xlsx.")
        except hxl.HxlError as error:
            raise CommandError(str(error), returncode=2) from None
        summaries_current()
        table = hxl.hxl_table(
            ReportContext(filters=filters, user=None, today=timezone.localdate()), by
        )
        hxl.hxl_write(table, out)
        self.stdout.write(
            f"Wrote {out}: {len(table.rows)} rows, {table.suppressed} with counts under "
            f"{hxl.min_count()} suppressed"
        )
