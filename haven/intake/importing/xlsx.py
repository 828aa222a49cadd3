"""A streaming XLSX reader: one row at a time, in memory bounded whatever the sheet's size.

Why not a library: openpyxl's read-only mode streams but reads about 100,000 cells a
second, and python-calamine is fast but loads the whole sheet into memory. This reads
the sheet's XML with expat straight from the zip, a chunk at a time, and keeps only
the shared-string table (spilled to a temporary SQLite file when it is very large).

Values come out as the sender saw them: text as text, whole numbers without ".0",
date-formatted numbers as ISO dates. A formula is never evaluated: its cached result
is what the sender's Excel showed; a formula with no cached result is kept as its text.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
import zipfile
import zlib
from collections.abc import Callable, Iterator
from typing import IO, Any
from xml.parsers import expat

from django.conf import settings
from django.utils.translation import gettext as _

from .errors import ImportFileError

_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
# Parts read whole (not streamed) must stay small; a larger one is a zip bomb or not a workbook.
_MAX_SMALL_PART = 64 * 1024 * 1024
_MAX_SHARED_STRINGS_PART = 1024 * 1024 * 1024
# Reading only the header (the upload page) unpacks at most this much of the sheet and of the
# text table: a header is in the first rows, and its text among the first strings.
HEADER_READ_LIMIT = 32 * 1024 * 1024
# A part this small is not worth checking for its compression ratio.
_RATIO_MIN_SIZE = 1024 * 1024
# Above this many shared strings, keep them on disk rather than in memory.
_SPILL_SHARED_STRINGS = 500_000
MAX_COLUMNS = 1024
_CHUNK = 256 * 1024
# Built-in number formats that are dates (ECMA-376 18.8.30, plus the East Asian ones).
_BUILTIN_DATE_FORMATS = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)])
_DATE_TOKENS = re.compile(r"[dmyhs]", re.IGNORECASE)
_FORMAT_NOISE = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.|_.|\*.')
_CELL_REF = re.compile(r"([A-Za-z]{1,3})")
# What a damaged zip raises while a member is inflated (zlib.error: a corrupt deflate stream;
# NotImplementedError: an unknown compression method; RuntimeError: an encrypted member).
DAMAGED = (
    zipfile.BadZipFile,
    zlib.error,
    NotImplementedError,
    RuntimeError,
    KeyError,
    ValueError,
    OSError,
    EOFError,
)


_LOCAL_NAMES: dict[str, str] = {}


def _local(name: str) -> str:
    """An element's name without its namespace; cached, as it runs for every cell."""
    local = _LOCAL_NAMES.get(name)
    if local is None:
        local = _LOCAL_NAMES.setdefault(name, name.rpartition(" ")[2])
    return local


def _column_index(ref: str) -> int | None:
    match = _CELL_REF.match(ref)
    if not match:
        return None
    index = 0
    for ch in match.group(1).upper():
        index = index * 26 + (ord(ch) - 64)
    return index - 1


def _refuse_doctype(*_args: Any) -> None:
    # Workbooks never declare a DOCTYPE; one is an entity-expansion attack.
    raise ImportFileError("The workbook contains XML that is not allowed (a DOCTYPE).")


def _parser() -> expat.XMLParserType:
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.buffer_text = True
    return parser


def _parse_part(archive: zipfile.ZipFile, name: str, start: Callable[..., None]) -> None:
    """Run a start-element handler over a small part of the workbook."""
    info = archive.getinfo(name)
    if info.file_size > _MAX_SMALL_PART:
        raise ImportFileError("The workbook is not a normal Excel file (a part is far too large).")
    parser = _parser()
    parser.StartElementHandler = start
    parser.Parse(archive.read(name), True)


def _is_date_format(code: str) -> bool:
    return bool(_DATE_TOKENS.search(_FORMAT_NOISE.sub("", code)))


def _strings_parser(
    append: Callable[[str], None], spill: Callable[[], None]
) -> expat.XMLParserType:
    """An expat parser for xl/sharedStrings.xml that calls append(text) for each string."""
    parts: list[str] = []
    depth = {"si": 0, "t": 0, "rPh": 0}

    def start(tag: str, attrs: dict[str, str]) -> None:
        local = _local(tag)
        if local == "sst" and int(attrs.get("uniqueCount", "0") or 0) > _SPILL_SHARED_STRINGS:
            spill()
        if local in depth:
            depth[local] += 1

    def end(tag: str) -> None:
        local = _local(tag)
        if local in depth:
            depth[local] -= 1
        if local == "si":
            append("".join(parts))
            parts.clear()

    def text(data: str) -> None:
        # Phonetic guides (rPh) are reading aids, not part of the cell's text.
        if depth["t"] and not depth["rPh"]:
            parts.append(data)

    parser = _parser()
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    return parser


def check_bounds(archive: zipfile.ZipFile) -> None:
    """Refuse a zip bomb before inflating anything: what the members unpack to, in all and
    relative to their compressed size, is bounded (HAVEN_IMPORT_MAX_UNCOMPRESSED_BYTES,
    HAVEN_IMPORT_MAX_COMPRESSION_RATIO). Python's zipfile never inflates a member past the
    size its directory declares (the CRC check fails instead), so the declared sizes bind."""
    max_total = int(settings.HAVEN_IMPORT_MAX_UNCOMPRESSED_BYTES)
    max_ratio = float(settings.HAVEN_IMPORT_MAX_COMPRESSION_RATIO)
    total = 0
    for info in archive.infolist():
        total += info.file_size
        if info.file_size > _RATIO_MIN_SIZE and info.file_size > max_ratio * max(
            info.compress_size, 1
        ):
            raise ImportFileError(
                _(
                    "The workbook is refused: a part of it unpacks to %(ratio)s times its "
                    "packed size (at most %(max)s is accepted), which is how zip bombs are "
                    "made. Open it in Excel, save it again, and upload the new copy."
                )
                % {
                    "ratio": f"{info.file_size / max(info.compress_size, 1):,.0f}",
                    "max": f"{max_ratio:,.0f}",
                }
            )
    if total > max_total:
        raise ImportFileError(
            _(
                "The workbook is refused: it unpacks to %(size)s MB, more than the %(max)s MB "
                "accepted. Split the list into smaller files, or save it as CSV."
            )
            % {"size": f"{total / 1_000_000:,.0f}", "max": f"{max_total / 1_000_000:,.0f}"}
        )


class LazySharedStrings:
    """The string table read only as far as the strings asked for: reading a header needs
    the first few, not the whole table (which may be a hundred megabytes)."""

    def __init__(self, archive: zipfile.ZipFile, name: str | None, limit: int) -> None:
        self._list: list[str] = []
        self._limit = limit
        self._read = 0
        self._stream: IO[bytes] | None = archive.open(name) if name else None
        self._parser = _strings_parser(self._list.append, lambda: None)

    def get(self, index: int) -> str:
        while index >= len(self._list) and self._stream is not None:
            if self._read >= self._limit:
                self.close()
                raise ImportFileError(
                    _(
                        "The header of this workbook could not be read without unpacking all "
                        "of it. Open it in Excel, save it again, and upload the new copy."
                    )
                )
            chunk = self._stream.read(_CHUNK)
            if not chunk:
                self._parser.Parse(b"", True)
                self.close()
                break
            self._read += len(chunk)
            self._parser.Parse(chunk, False)
        return self._list[index] if 0 <= index < len(self._list) else ""

    def close(self) -> None:
        if self._stream is not None:
            self._stream.close()
            self._stream = None


class SharedStrings:
    """The workbook's string table: a list, or a temporary SQLite table when it is huge."""

    def __init__(self, archive: zipfile.ZipFile, name: str | None) -> None:
        self._list: list[str] = []
        self._db: sqlite3.Connection | None = None
        self._pending: list[tuple[int, str]] = []
        self._count = 0
        if name is None:
            return
        if archive.getinfo(name).file_size > _MAX_SHARED_STRINGS_PART:
            raise ImportFileError("The workbook's text table is too large to read.")
        self._read(archive, name)

    def _read(self, archive: zipfile.ZipFile, name: str) -> None:
        parser = _strings_parser(self._append, self._spill)
        with archive.open(name) as stream:
            while chunk := stream.read(_CHUNK):
                parser.Parse(chunk, False)
        parser.Parse(b"", True)
        self._flush()

    def _spill(self) -> None:
        # An empty name is SQLite's private temporary database: on disk, gone when closed.
        self._db = sqlite3.connect("")
        self._db.execute("CREATE TABLE s (i INTEGER PRIMARY KEY, v TEXT)")

    def _append(self, value: str) -> None:
        if self._db is None:
            self._list.append(value)
            return
        self._pending.append((self._count, value))
        self._count += 1
        if len(self._pending) >= 10_000:
            self._flush()

    def _flush(self) -> None:
        if self._db is not None and self._pending:
            self._db.executemany("INSERT INTO s VALUES (?, ?)", self._pending)
            self._pending.clear()

    def get(self, index: int) -> str:
        if self._db is None:
            return self._list[index] if 0 <= index < len(self._list) else ""
        row = self._db.execute("SELECT v FROM s WHERE i = ?", (index,)).fetchone()
        return row[0] if row else ""


class XlsxTable:
    """The first visible worksheet of an XLSX workbook, as rows of text cells."""

    format = "xlsx"

    def __init__(self, fileobj: IO[bytes], *, header_only: bool = False) -> None:
        """header_only: the caller reads only the first rows (the upload page finding the
        header): the text table is read as far as they need, and at most HEADER_READ_LIMIT
        of either part is unpacked. The whole sheet is read in the background job."""
        self.file = fileobj
        self._header_only = header_only
        try:
            self._archive = zipfile.ZipFile(fileobj)
            check_bounds(self._archive)
            self._open()
        except ImportFileError:
            raise
        except DAMAGED as exc:
            raise ImportFileError(
                "The XLSX file is damaged and could not be read. "
                "Open it in Excel, save it again, and upload the new copy."
            ) from exc
        except expat.ExpatError as exc:
            raise ImportFileError(f"The XLSX file is damaged: {exc}.") from exc
        self._bytes_read = 0

    def _open(self) -> None:
        archive = self._archive
        names = set(archive.namelist())
        sheets: list[tuple[str, str, str]] = []
        flags = {"date1904": False}

        def workbook_start(tag: str, attrs: dict[str, str]) -> None:
            local = _local(tag)
            if local == "sheet":
                rid = attrs.get(f"{_REL_NS} id", "")
                sheets.append((attrs.get("name", ""), rid, attrs.get("state", "visible")))
            elif local == "workbookPr":
                flags["date1904"] = attrs.get("date1904", "") in {"1", "true"}

        _parse_part(archive, "xl/workbook.xml", workbook_start)
        targets: dict[str, str] = {}

        def rels_start(tag: str, attrs: dict[str, str]) -> None:
            if _local(tag) == "Relationship":
                targets[attrs.get("Id", "")] = attrs.get("Target", "")

        _parse_part(archive, "xl/_rels/workbook.xml.rels", rels_start)
        visible = [s for s in sheets if s[2] == "visible"] or sheets
        if not visible:
            raise ImportFileError("The workbook has no worksheets.")
        self.sheet_name, rid, _state = visible[0]
        self.other_sheets = [s[0] for s in sheets if s[0] != self.sheet_name]
        target = targets.get(rid, "")
        path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        self._sheet_path = re.sub(r"[^/]+/\.\./", "", path)
        if self._sheet_path not in names:
            raise ImportFileError("The workbook's first sheet is missing from the file.")
        self._sheet_size = archive.getinfo(self._sheet_path).file_size or 1
        self._date_styles = self._read_date_styles(names)
        self._epoch = dt.date(1904, 1, 1) if flags["date1904"] else dt.date(1899, 12, 30)
        strings = "xl/sharedStrings.xml" if "xl/sharedStrings.xml" in names else None
        self._strings: SharedStrings | LazySharedStrings = (
            LazySharedStrings(archive, strings, HEADER_READ_LIMIT)
            if self._header_only
            else SharedStrings(archive, strings)
        )

    def _read_date_styles(self, names: set[str]) -> frozenset[int]:
        if "xl/styles.xml" not in names:
            return frozenset()
        custom: dict[int, str] = {}
        xf_formats: list[int] = []
        state = {"in_xfs": False}

        def start(tag: str, attrs: dict[str, str]) -> None:
            local = _local(tag)
            if local == "numFmt":
                custom[int(attrs.get("numFmtId", "0"))] = attrs.get("formatCode", "")
            elif local == "cellXfs":
                state["in_xfs"] = True
            elif local == "cellStyleXfs":
                state["in_xfs"] = False
            elif local == "xf" and state["in_xfs"]:
                xf_formats.append(int(attrs.get("numFmtId", "0")))

        _parse_part(self._archive, "xl/styles.xml", start)
        return frozenset(
            index
            for index, fmt in enumerate(xf_formats)
            if fmt in _BUILTIN_DATE_FORMATS or (fmt in custom and _is_date_format(custom[fmt]))
        )

    def fraction_read(self) -> float:
        return min(self._bytes_read / self._sheet_size, 1.0)

    def _number(self, text: str, style: int) -> str:
        try:
            number = float(text)
        except ValueError:
            return text
        if style in self._date_styles and 0 <= number < 2958466:
            return self._date(number)
        if number.is_integer() and abs(number) < 1e16:
            return str(int(number))
        return text

    def _date(self, serial: float) -> str:
        days = int(serial)
        epoch = self._epoch
        if epoch.year == 1899 and days < 61:
            # Excel counts a 29 February 1900 that never was; before it, serials are a day off.
            epoch = dt.date(1899, 12, 31)
        moment = dt.datetime.combine(epoch, dt.time()) + dt.timedelta(days=serial)
        if days == 0:
            return moment.strftime("%H:%M:%S")
        if serial == days:
            return moment.date().isoformat()
        return moment.strftime("%Y-%m-%d %H:%M")

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """(row number as Excel shows it, cells) for every row present, empty ones included."""
        try:
            yield from self._rows()
        except ImportFileError:
            raise
        except (*DAMAGED, expat.ExpatError) as exc:
            raise ImportFileError(
                f"The XLSX file is damaged and could not be read past this point ({exc})."
            ) from exc

    def _rows(self) -> Iterator[tuple[int, list[str]]]:
        sheet = _SheetHandler(self)
        parser = _parser()
        parser.StartElementHandler = sheet.start
        parser.EndElementHandler = sheet.end
        parser.CharacterDataHandler = sheet.text
        with self._archive.open(self._sheet_path) as stream:
            while chunk := stream.read(_CHUNK):
                self._bytes_read += len(chunk)
                if self._header_only and self._bytes_read > HEADER_READ_LIMIT:
                    raise ImportFileError(
                        _("The first rows of this workbook are far too large to be a list.")
                    )
                parser.Parse(chunk, False)
                yield from sheet.take()
            parser.Parse(b"", True)
        yield from sheet.take()

    def cell_value(self, kind: str, style: int, value: str | None, formula: str | None) -> str:
        if not value:
            # No cached result (a formula written by a program, not Excel): keep its text.
            return f"={formula}" if formula else (value or "")
        if kind == "s":
            try:
                return self._strings.get(int(value))
            except ValueError:
                return ""
        if kind in ("str", "inlineStr", "e", "d"):
            return value
        if kind == "b":
            return "TRUE" if value.strip() == "1" else "FALSE"
        return self._number(value, style)


class _SheetHandler:
    """Expat callbacks for a worksheet: collects finished rows until take() is called."""

    def __init__(self, table: XlsxTable) -> None:
        self.table = table
        self.done: list[tuple[int, list[str]]] = []
        self.row_number = 0
        self.cells: dict[int, str] = {}
        self.column = -1
        self.kind = "n"
        self.style = 0
        self.buffer: list[str] | None = None
        self.value: str | None = None
        self.formula: str | None = None
        self.in_rph = False

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        local = _local(tag)
        if local == "c":
            ref = attrs.get("r")
            column = _column_index(ref) if ref else None
            self.column = self.column + 1 if column is None else column
            self.kind = attrs.get("t", "n")
            self.style = int(attrs.get("s", "0") or 0)
            self.value = None
            self.formula = None
        elif local == "row":
            number = attrs.get("r")
            self.row_number = int(number) if number else self.row_number + 1
            self.cells = {}
            self.column = -1
        elif local in ("v", "f") or (local == "t" and self.kind == "inlineStr" and not self.in_rph):
            self.buffer = []
        elif local == "rPh":
            self.in_rph = True

    def text(self, data: str) -> None:
        if self.buffer is not None:
            self.buffer.append(data)

    def end(self, tag: str) -> None:
        local = _local(tag)
        if local == "v" and self.buffer is not None:
            self.value = "".join(self.buffer)
            self.buffer = None
        elif local == "t" and self.buffer is not None:
            # Rich inline text comes in runs, each its own <t>.
            self.value = (self.value or "") + "".join(self.buffer)
            self.buffer = None
        elif local == "f" and self.buffer is not None:
            self.formula = "".join(self.buffer)
            self.buffer = None
        elif local == "rPh":
            self.in_rph = False
        elif local == "c":
            if self.column < MAX_COLUMNS:
                text = self.table.cell_value(self.kind, self.style, self.value, self.formula)
                if text:
                    self.cells[self.column] = text
        elif local == "row":
            width = max(self.cells) + 1 if self.cells else 0
            self.done.append((self.row_number, [self.cells.get(i, "") for i in range(width)]))

    def take(self) -> list[tuple[int, list[str]]]:
        rows, self.done = self.done, []
        return rows
