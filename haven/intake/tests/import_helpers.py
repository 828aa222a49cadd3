"""Files for import tests: workbooks, CSVs and messages built in memory."""

from __future__ import annotations

import io
from collections.abc import Sequence

from openpyxl import Workbook

HEADER = ["Name", "Father's name", "DOB", "Phone", "Passport", "Notes"]
ROWS = [
    ["Mohammad Zaman Ahmadzai", "Gul Ahmad", "1988", "0700 123 456", "P12345678", ""],
    ["Fatima", "Abdul Rahman", "12/04/1990", "not a phone", "", '=HYPERLINK("http://x")'],
    ["", "", "", "", "", ""],
    ["Mohammad Zaman Ahmadzai", "Gul Ahmad", "1988-03-01", "", "", "second list"],
    ["", "", "31/31/31", "", "", "only a bad date"],
    ["<script>alert(1)</script>", "", "1365", "+93 70 000 0000", "", "@SUM(1)"],
]


def csv_bytes(
    rows: Sequence[Sequence[str]], *, header: Sequence[str] = HEADER, encoding: str = "utf-8"
) -> bytes:
    import csv

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(
    rows: Sequence[Sequence[object]],
    *,
    header: Sequence[str] = HEADER,
    title_rows: Sequence[Sequence[str]] = (),
    sheets: Sequence[str] = (),
) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "List"
    for row in [*title_rows, header, *rows]:
        sheet.append(list(row))
    for name in sheets:
        book.create_sheet(name)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
