"""Opening an uploaded file as a table of text cells, whatever it was named.

The content decides the reader (see sniff.py). CSV comes in UTF-8, UTF-8 with a BOM,
UTF-16 (Excel's "Unicode text") or Windows-1256 (Arabic Windows, still common in
Afghan offices); XLSX is read by python-calamine (see xlsx.py). Nothing is evaluated:
a cell is text.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Iterator
from typing import IO, Protocol

from django.utils.translation import gettext as _

from . import sniff
from .errors import ImportFileError
from .xlsx import MAX_COLUMNS, XlsxTable

# A generous cap: a cell of a few megabytes is still read, never a silent cut.
csv.field_size_limit(max(csv.field_size_limit(), 16 * 1024 * 1024))
_DELIMITERS = (",", ";", "\t", "|")


class Table(Protocol):
    format: str
    sheet_name: str
    other_sheets: list[str]
    file: IO[bytes]  # what it reads from

    def rows(self) -> Iterator[tuple[int, list[str]]]: ...

    def fraction_read(self) -> float: ...


Row = tuple[int, list[str]]


class RowStream:
    """Rows in order, with how far through the file reading has got (for a progress bar);
    closing it stops the reading (an interrupted import)."""

    def __init__(self, rows: Iterator[Row], *, fraction_read: Callable[[], float]) -> None:
        self._rows = rows
        self.fraction_read = fraction_read

    def __iter__(self) -> Iterator[Row]:
        return self._rows

    def __enter__(self) -> RowStream:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        close = getattr(self._rows, "close", None)
        if close is not None:
            close()


def detect_encoding(fileobj: IO[bytes]) -> str:
    """UTF-8 when every byte of the file decodes as UTF-8, else Windows-1256."""
    fileobj.seek(0)
    head = fileobj.read(4)
    fileobj.seek(0)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while chunk := fileobj.read(1024 * 1024):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "cp1256"
    finally:
        fileobj.seek(0)
    return "utf-8"


def detect_delimiter(sample: str) -> str:
    """The separator used most often across the first lines; a comma when in doubt."""
    lines = [line for line in sample.splitlines() if line.strip()][:10]
    counts = {d: sum(line.count(d) for line in lines) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


class CsvTable:
    format = "csv"
    sheet_name = ""
    other_sheets: list[str] = []

    def __init__(self, fileobj: IO[bytes]) -> None:
        self._file = self.file = fileobj
        self.encoding = detect_encoding(fileobj)
        fileobj.seek(0, io.SEEK_END)
        self._size = fileobj.tell() or 1
        fileobj.seek(0)
        sample = fileobj.read(64 * 1024).decode(self.encoding, errors="replace")
        fileobj.seek(0)
        self.delimiter = detect_delimiter(sample)

    def fraction_read(self) -> float:
        try:
            return min(self._file.tell() / self._size, 1.0)
        except (OSError, ValueError):
            return 0.0

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        self._file.seek(0)
        # errors="replace" only matters for Windows-1256, whose few unmapped bytes become U+FFFD.
        text = io.TextIOWrapper(self._file, encoding=self.encoding, errors="replace", newline="")
        reader = csv.reader(text, delimiter=self.delimiter)
        number = 0
        try:
            for number, cells in enumerate(reader, start=1):
                # PostgreSQL text cannot hold NUL; nothing a person typed contains one.
                yield number, [c.replace("\x00", "") for c in cells[:MAX_COLUMNS]]
        except csv.Error as exc:
            raise ImportFileError(
                _("Row %(row)s of the CSV file could not be read (%(error)s).")
                % {"row": number + 1, "error": exc}
            ) from exc
        finally:
            text.detach()


def open_table(fileobj: IO[bytes], *, header_only: bool = False) -> Table:
    """The file as a table, or ImportFileError saying in plain words what it is instead.

    header_only: only the first rows will be read (see XlsxTable)."""
    fileobj.seek(0, io.SEEK_END)
    if fileobj.tell() == 0:
        raise ImportFileError(_("The file is empty."))
    found = sniff.sniff(fileobj)
    if found.mime == sniff.XLSX:
        return XlsxTable(fileobj, header_only=header_only)
    if found.mime == sniff.TEXT:
        return CsvTable(fileobj)
    if found.mime == "application/zip":
        raise ImportFileError(
            _(
                "The file looks like an Excel workbook but is damaged or is another kind of "
                "ZIP archive. Open it in Excel, save it as XLSX, and upload it again."
            )
        )
    raise ImportFileError(
        _(
            "This file is %(kind)s, not a spreadsheet. Save the list as XLSX or CSV "
            "and upload that instead."
        )
        % {"kind": found.description}
    )
