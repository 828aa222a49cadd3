"""The error report: rejected rows as CSV, made safe to open in a spreadsheet program.

A cell that starts with = + - @ (or a tab or carriage return) would run as a formula
when the report is opened in Excel or LibreOffice; it gets a leading apostrophe, the
usual way to say "this is text", so what staff see is what the sender wrote.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet

from haven.intake.models import RejectedRow

from .rows import FORMULA_PREFIXES

_HEADER = ["row", "reason", "message"]


def neutralise(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def error_report_lines(*, headers: list[str], rows: QuerySet[RejectedRow]) -> Iterator[str]:
    """CSV lines, streamed: a report of any length never sits in memory whole."""
    writer = csv.writer(_Echo())
    yield "\ufeff"  # a BOM, so Excel reads the Dari as UTF-8
    yield writer.writerow([neutralise(h) for h in [*_HEADER, *headers]])
    for rejected in rows.iterator(chunk_size=2000):
        cells = [str(c) for c in rejected.cells]
        yield writer.writerow(
            [
                neutralise(v)
                for v in [rejected.row_number, rejected.reason, rejected.message, *cells]
            ]
        )
