"""XLSX workbooks, read with python-calamine (a Rust reader) into rows of text cells.

Calamine reads a 100,000-row sheet several times faster than the streaming expat reader
this replaces (see bench/import_xlsx), so no second process reads ahead any more. It
holds the whole sheet in memory while it is read (about 120 MB of the import's peak for
100,000 rows), so what it is given is bounded here first, by checks that are ours:

- the zip-bomb bounds (check_bounds), before anything is inflated: calamine inflates
  the shared-string table when the workbook opens and the sheet when it is read, each
  whole into memory, with no limit of its own;
- the sheet's extent (xlsxparts.Scan.check_extent): calamine allocates one cell for every
  position between the first and the last cell, so a 2 KB sheet with cells in A1 and
  XFD1048576 would ask for 550 GB and abort the process;
- the upload page reads an excerpt (the first rows, the first strings), never all of
  a workbook, and a damaged sheet gives up the rows before its damage (xlsxparts.Book.salvage).

Values come out as the sender saw them: text as text, whole numbers without ".0",
date-formatted numbers as ISO dates. A formula is never evaluated: its cached result is
what the sender's Excel showed; a formula with no cached result (written by a program,
not Excel) is kept as its text, found by the extent scan, as calamine gives no formulas.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Iterator
from typing import IO

import python_calamine
from django.utils.translation import gettext as _

from . import xlsxparts
from .errors import ImportFileError
from .xlsxparts import DAMAGED, MAX_COLUMNS, check_bounds

__all__ = ["DAMAGED", "HEADER_READ_LIMIT", "MAX_COLUMNS", "XlsxTable", "check_bounds"]

# Reading only the header (the upload page) unpacks at most this much of the sheet and of the
# text table: a header is in the first rows, and its text among the first strings.
HEADER_READ_LIMIT = 32 * 1024 * 1024
# The rows the upload page's excerpt keeps: more than find_header looks through.
HEADER_ROWS = 50
# How much of the text table the excerpt holds at first: the header's strings are among the
# first (Excel writes the table in the order cells first use it). Only if a cell of those
# rows needs a later one is the excerpt made again, with up to HEADER_READ_LIMIT of it.
FIRST_STRINGS = 256 * 1024

Cell = int | float | str | bool | dt.date | dt.datetime | dt.time | dt.timedelta


def _damaged() -> ImportFileError:
    return ImportFileError(
        _(
            "The XLSX file is damaged and could not be read. "
            "Open it in Excel, save it again, and upload the new copy."
        )
    )


class XlsxTable:
    """The first visible worksheet of an XLSX workbook, as rows of text cells."""

    format = "xlsx"

    def __init__(self, fileobj: IO[bytes], *, header_only: bool = False) -> None:
        """header_only: the caller reads only the first rows (the upload page finding the
        header): calamine reads an excerpt of at most HEADER_READ_LIMIT of the sheet and of
        the text table. The whole sheet is read in the background job."""
        self.file = fileobj
        self._height = 1
        self._yielded = 0
        try:
            archive = zipfile.ZipFile(fileobj)
            check_bounds(archive)
            self._book = xlsxparts.Book.read(archive)
            self.sheet_name = self._book.sheet_name
            self.other_sheets = self._book.other_sheets
            if header_only:
                self._source: IO[bytes] = self._book.excerpt(
                    HEADER_ROWS, HEADER_READ_LIMIT, min(FIRST_STRINGS, HEADER_READ_LIMIT)
                )
                self._scan = self._book.last_scan
            else:
                self._scan = self._book.scan()
                self._source = self._book.whole() if self._book.needs_package else fileobj
        except ImportFileError:
            raise
        except DAMAGED as exc:
            raise _damaged() from exc
        self._header_only = header_only

    def fraction_read(self) -> float:
        return min(self._yielded / self._height, 1.0)

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """(row number as Excel shows it, cells) for every row from the first to the last
        with anything in it; trailing empty cells are left off."""
        try:
            sheet = self._load(self._source)
        except python_calamine.CalamineError as exc:
            if "string index" in str(exc) and self._header_only:
                sheet = self._load_longer_excerpt(exc)
            else:
                yield from self._salvaged(exc)
                return
        yield from self._read(sheet)
        if self._scan.damage is not None:
            # The sheet inflated only this far (calamine read what came before the damage).
            raise self._past_this_point(self._scan.damage)

    def _load_longer_excerpt(self, exc: BaseException) -> python_calamine.CalamineSheet:
        try:
            if FIRST_STRINGS < HEADER_READ_LIMIT:
                excerpt = self._book.excerpt(HEADER_ROWS, HEADER_READ_LIMIT, HEADER_READ_LIMIT)
                return self._load(excerpt)
        except python_calamine.CalamineError as again:
            exc = again
        raise ImportFileError(
            _(
                "The header of this workbook could not be read without unpacking all "
                "of it. Open it in Excel, save it again, and upload the new copy."
            )
        ) from exc

    def _salvaged(self, exc: BaseException) -> Iterator[tuple[int, list[str]]]:
        """The rows before the damage, read from a copy of the sheet cut there; then the
        message saying where reading stopped."""
        try:
            cut = self._book.salvage(self._header_only)
            sheet = self._load(cut) if cut is not None else None
        except (*DAMAGED, python_calamine.CalamineError):
            sheet = None
        if sheet is None:
            raise self._past_this_point(exc) from exc
        yield from self._read(sheet)
        raise self._past_this_point(exc) from exc

    def _past_this_point(self, exc: BaseException) -> ImportFileError:
        # The reader's own words (English, technical) stay in the brackets, for whoever
        # repairs the file.
        return ImportFileError(
            _("The XLSX file is damaged and could not be read past this point (%(error)s).")
            % {"error": exc}
        )

    def _load(self, source: IO[bytes]) -> python_calamine.CalamineSheet:
        source.seek(0)
        workbook = python_calamine.CalamineWorkbook.from_filelike(source)
        sheet = workbook.get_sheet_by_name(self.sheet_name)
        self._height = max(sheet.height, 1)
        return sheet

    def _read(self, sheet: python_calamine.CalamineSheet) -> Iterator[tuple[int, list[str]]]:
        first_row, first_column = sheet.start or (0, 0)
        formulas = self._scan.formulas
        pad = [""] * first_column
        for index, values in enumerate(sheet.iter_rows()):
            number = first_row + index + 1
            cells = pad + [
                value if type(value) is str and "\x00" not in value else text(value)
                for value in values[: MAX_COLUMNS - first_column]
            ]
            for column, formula in formulas.get(number, {}).items():
                if column < MAX_COLUMNS and not (column < len(cells) and cells[column]):
                    cells.extend([""] * (column + 1 - len(cells)))
                    cells[column] = formula
            while cells and not cells[-1]:
                cells.pop()
            self._yielded += 1
            yield number, cells


def text(value: Cell) -> str:
    """A cell's value as the sender's Excel showed it."""
    if isinstance(value, str):
        return value.replace("\x00", "")  # PostgreSQL text cannot hold NUL
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time():
            return value.date().isoformat()
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S")
    seconds = int(value.total_seconds())
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
