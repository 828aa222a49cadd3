"""The parts of an XLSX workbook that Haven checks itself before python-calamine reads it.

Calamine is a fast, well-kept reader, but it trusts its input: it inflates whole parts
into memory, allocates every cell between the first and the last one, and reads a sheet
in full or not at all. What is here bounds what it is given (see xlsx.py for why each
check is ours), and cuts excerpts of a sheet: its first rows (the upload page), or its
rows before a damaged place (so that those are still imported, as a CSV's would be).
Nothing here parses cells: regular expressions over the sheet's bytes find only what
would make calamine misbehave, and formulas that have no cached result.
"""

from __future__ import annotations

import html
import re
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any
from xml.parsers import expat
from xml.sax.saxutils import quoteattr

from django.conf import settings
from django.utils.translation import gettext as _

from .errors import ImportFileError

MAX_COLUMNS = 1024
# Calamine keeps each cell between the sheet's first and last in memory (about 50 bytes
# apiece with its text, measured on bench/import_xlsx): this many is about 800 MB. Sheets
# narrower than 26 columns count as 26 (their width is not measured), so this is 615,000
# rows; a larger list is refused with a message (split it, or send CSV, which is streamed).
MAX_CELLS = 16_000_000
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_WORKSHEET = f"{_REL_NS}/worksheet"
# Parts read whole (not streamed) must stay small; a larger one is a zip bomb or not a workbook.
_MAX_SMALL_PART = 64 * 1024 * 1024
# A part this small is not worth checking for its compression ratio.
_RATIO_MIN_SIZE = 1024 * 1024
_CHUNK = 1024 * 1024
_STRINGS = "xl/sharedStrings.xml"
_STYLES = "xl/styles.xml"
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
    expat.ExpatError,
)

# A cell or row reference that could stretch the sheet: two or three column letters, or a
# row number of six digits or more; or one written with a character reference, which no
# spreadsheet program does. Spaces and either quote are allowed, as XML allows them; other
# whitespace is made a space first (_SPACES), so that the search starts from a literal " r"
# (many times faster than from \s).
_FAR_REF = re.compile(rb""" r *= *["'](?:([A-Za-z]{2,3})(\d+)|[A-Za-z]?(\d{6,})|[^"'&]*(&))""")
_ANY_ROW = re.compile(rb""" r *= *["'][A-Za-z]{0,3}(\d+)["']""")
_SPACES = bytes.maketrans(b"\t\r\n", b"   ")
_NEAR_ROWS = 99_999  # the largest row number _FAR_REF does not look for
# A cell whose only content is a formula without a cached result (<v/> or none).
_P = rb"(?:[\w.-]+:)?"
_FORMULA_CELL = re.compile(
    rb"<" + _P + rb"c\s([^>]*)>\s*<" + _P + rb"f(?:\s[^>]*)?>([^<]*)</" + _P + rb"f\s*>\s*"
    rb"(?:<" + _P + rb"v\s*/>\s*|<" + _P + rb"v>\s*</" + _P + rb"v\s*>\s*)?</" + _P + rb"c\s*>"
)
_CELL_REF = re.compile(rb"""\br\s*=\s*["']([A-Za-z]{1,3})(\d+)["']""")
_ROW_END = re.compile(rb"</(" + _P + rb")row\s*>")
_STRING_END = re.compile(rb"</(" + _P + rb")si\s*>")


def check_bounds(archive: zipfile.ZipFile) -> None:
    """Refuse a zip bomb before inflating anything: what the members unpack to, in all and
    relative to their compressed size, is bounded (HAVEN_IMPORT_MAX_UNCOMPRESSED_BYTES,
    HAVEN_IMPORT_MAX_COMPRESSION_RATIO). Python's zipfile never inflates a member past the
    size its directory declares (the CRC check fails instead), so the declared sizes bind.
    Ours, not calamine's: calamine has no such bound, and inflates each part it reads whole
    into memory (the text table as soon as the workbook is opened)."""
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


def _refuse_doctype(*_args: Any) -> None:
    # Workbooks never declare a DOCTYPE; one is an entity-expansion attack.
    raise ImportFileError(_("The workbook contains XML that is not allowed (a DOCTYPE)."))


def _parse_part(archive: zipfile.ZipFile, name: str, start: Callable[..., None]) -> bytes:
    """Run a start-element handler over a small part of the workbook; its bytes."""
    if archive.getinfo(name).file_size > _MAX_SMALL_PART:
        raise ImportFileError(
            _("The workbook is not a normal Excel file (a part is far too large).")
        )
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.StartElementHandler = start
    data = archive.read(name)
    parser.Parse(data, True)
    return data


def _local(name: str) -> str:
    return name.rpartition(" ")[2]


def _chunks(archive: zipfile.ZipFile, name: str, size: int = _CHUNK) -> Iterator[bytes]:
    with archive.open(name) as stream:
        while chunk := stream.read(size):
            yield chunk


def _column(letters: bytes) -> int:
    index = 0
    for ch in letters.upper():
        index = index * 26 + (ch - 64)
    return index - 1


@dataclass
class Scan:
    """What the sheet's bytes say that calamine does not: how far its cells reach, the text
    of formulas with no cached result ({row number: {column: "=…"}}), and the damage that
    stopped inflating it, if any."""

    max_row: int = 0
    max_column: int = 0
    formulas: dict[int, dict[int, str]] = field(default_factory=dict)
    damage: BaseException | None = None

    def add(self, data: bytes) -> None:
        for match in _FAR_REF.finditer(data.translate(_SPACES)):
            letters, row, far_row, entity = match.groups()
            if entity:
                raise ImportFileError(
                    _("The workbook is not a normal Excel file (a cell reference is escaped).")
                )
            if letters:
                self.max_column = max(self.max_column, _column(letters))
                self.max_row = max(self.max_row, int(row))
            else:
                self.max_row = max(self.max_row, int(far_row))
        if b"f>" in data:
            self._formulas(data)

    def _formulas(self, data: bytes) -> None:
        for match in _FORMULA_CELL.finditer(data):
            ref = _CELL_REF.search(match.group(1))
            formula = html.unescape(match.group(2).decode("utf-8", "replace"))
            if ref and formula:
                row, column = int(ref.group(2)), _column(ref.group(1))
                self.formulas.setdefault(row, {})[column] = f"={formula}"

    def check_extent(self, rows_again: Callable[[], Iterator[bytes]]) -> None:
        """Refuse a sheet whose cells span more than MAX_CELLS positions. Only references
        with a far column or row were looked at; when near rows could matter (a wide
        sheet), they are counted exactly, in a second pass."""
        width = max(self.max_column + 1, 26)
        height = max(self.max_row, _NEAR_ROWS)
        if height * width > MAX_CELLS and self.max_row < _NEAR_ROWS:
            height = max((self.max_row, *_all_rows(rows_again())))
        if height * width > MAX_CELLS:
            raise ImportFileError(
                _(
                    "The workbook is refused: its sheet reaches row %(rows)s and column "
                    "%(columns)s, more cells than Haven reads from one workbook. Delete what "
                    "lies beyond the list, or split it into smaller files, or save it as CSV."
                )
                % {"rows": f"{height:,}", "columns": f"{width:,}"}
            )


def _all_rows(chunks: Iterator[bytes]) -> Iterator[int]:
    for data in _whole_rows(chunks):
        yield from (int(row) for row in _ANY_ROW.findall(data.translate(_SPACES)))


def _whole_rows(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """The chunks, cut after a '>' of a row tag, so that nothing looked for (a reference,
    a cell) straddles two of them."""
    carry = b""
    for chunk in chunks:
        data = carry + chunk
        cut = data.rfind(b"row>") + 4
        if cut < 4:
            carry = data
            continue
        carry = data[cut:]
        yield data[:cut]
    if carry:
        yield carry


def scan(chunks: Iterator[bytes], again: Callable[[], Iterator[bytes]]) -> Scan:
    found = Scan()
    try:
        for data in _whole_rows(chunks):
            found.add(data)
    except ImportFileError:
        raise
    except DAMAGED as exc:
        found.damage = exc  # calamine will fail on it too: rows() salvages what came before
        return found
    found.check_extent(again)
    return found


@dataclass
class Book:
    """A workbook's structure, read by Haven from its small parts."""

    archive: zipfile.ZipFile
    sheet_name: str
    other_sheets: list[str]
    sheet_path: str
    workbook_xml: bytes
    relationships: list[tuple[str, str, str]]  # (id, type, target)
    needs_package: bool
    last_scan: Scan = field(default_factory=Scan)

    @classmethod
    def read(cls, archive: zipfile.ZipFile) -> Book:
        names = set(archive.namelist())
        for name in names:
            if name.endswith((".xml", ".rels")):
                with archive.open(name) as stream:
                    if b"<!DOCTYPE" in stream.read(4096).upper():
                        _refuse_doctype()
        sheets: list[tuple[str, str, str]] = []

        def workbook_start(tag: str, attrs: dict[str, str]) -> None:
            if _local(tag) == "sheet":
                rid = attrs.get(f"{_REL_NS} id", "")
                sheets.append((attrs.get("name", ""), rid, attrs.get("state", "visible")))

        workbook_xml = _parse_part(archive, "xl/workbook.xml", workbook_start)
        relationships: list[tuple[str, str, str]] = []

        def rels_start(tag: str, attrs: dict[str, str]) -> None:
            if _local(tag) == "Relationship":
                relationships.append(
                    (attrs.get("Id", ""), attrs.get("Type", ""), attrs.get("Target", ""))
                )

        _parse_part(archive, "xl/_rels/workbook.xml.rels", rels_start)
        visible = [s for s in sheets if s[2] == "visible"] or sheets
        if not visible:
            raise ImportFileError(_("The workbook has no worksheets."))
        sheet_name, rid, _state = visible[0]
        target = next((t for i, _t, t in relationships if i == rid), "")
        path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        sheet_path = re.sub(r"[^/]+/\.\./", "", path)
        if sheet_path not in names:
            raise ImportFileError(_("The workbook's first sheet is missing from the file."))
        sheet_ids = {s[1] for s in sheets}
        # Calamine needs the package's own relationships and each sheet's type; programs
        # other than Excel sometimes leave them out, and the old reader did not need them.
        needs_package = "_rels/.rels" not in names or any(
            not kind for i, kind, _t in relationships if i in sheet_ids
        )
        return cls(
            archive=archive,
            sheet_name=sheet_name,
            other_sheets=[s[0] for s in sheets if s[0] != sheet_name],
            sheet_path=sheet_path,
            workbook_xml=workbook_xml,
            relationships=relationships,
            needs_package=needs_package,
        )

    def _names(self) -> set[str]:
        return set(self.archive.namelist())

    def scan(self) -> Scan:
        self.last_scan = scan(
            _chunks(self.archive, self.sheet_path), lambda: _chunks(self.archive, self.sheet_path)
        )
        return self.last_scan

    def whole(self) -> IO[bytes]:
        """The workbook as calamine can open it: its sheet and text table copied whole."""
        return self._package(
            sheet=lambda out: self._copy(self.sheet_path, out),
            strings=lambda out: self._copy(_STRINGS, out),
        )

    def excerpt(self, rows: int, limit: int, strings_limit: int) -> IO[bytes]:
        """The workbook with its sheet cut after `rows` rows (within `limit` bytes) and its
        text table after the strings within `strings_limit` bytes: what the upload page
        reads."""
        sheet = _head(_chunks(self.archive, self.sheet_path), rows, limit)
        strings = (
            _strings_head(_chunks(self.archive, _STRINGS), strings_limit)
            if _STRINGS in self._names()
            else None
        )
        self.last_scan = scan(iter([sheet]), lambda: iter([sheet]))
        return self._package(
            sheet=lambda out: out.write(sheet),
            strings=None if strings is None else (lambda out: out.write(strings)),
        )

    def salvage(self, header_only: bool) -> IO[bytes] | None:
        """The workbook with its sheet cut at the last whole row before the damage; None
        when no row came before it."""
        if header_only:
            return None  # the excerpt is small: a damaged one is simply reported
        kept = tempfile.SpooledTemporaryFile(max_size=64 * 1024 * 1024)  # noqa: SIM115 (returned)
        # Small pieces: what inflated before a corrupt place is kept.
        pieces = _chunks(self.archive, self.sheet_path, 16 * 1024)
        prefix = _cut_before_damage(pieces, kept)
        if prefix is None:
            return None
        kept.write(f"</{prefix}sheetData></{prefix}worksheet>".encode())
        kept.seek(0)
        return self._package(
            sheet=lambda out: shutil.copyfileobj(kept, out, _CHUNK),
            strings=lambda out: self._copy(_STRINGS, out),
        )

    def _copy(self, name: str, out: IO[bytes]) -> None:
        with self.archive.open(name) as stream:
            shutil.copyfileobj(stream, out, _CHUNK)

    def _package(
        self,
        *,
        sheet: Callable[[IO[bytes]], object],
        strings: Callable[[IO[bytes]], object] | None,
    ) -> IO[bytes]:
        """A new workbook of only what calamine reads, stored (not deflated)."""
        names = self._names()
        out = tempfile.SpooledTemporaryFile(max_size=64 * 1024 * 1024)  # noqa: SIM115 (returned)
        with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as target:
            for name in ("[Content_Types].xml", _STYLES):
                if name in names:
                    target.writestr(name, self.archive.read(name))
            target.writestr("_rels/.rels", _package_rels())
            target.writestr("xl/workbook.xml", self.workbook_xml)
            target.writestr("xl/_rels/workbook.xml.rels", _workbook_rels(self.relationships))
            with target.open(self.sheet_path, "w", force_zip64=True) as stream:
                sheet(stream)
            if strings is not None and _STRINGS in names:
                with target.open(_STRINGS, "w", force_zip64=True) as stream:
                    strings(stream)
        out.seek(0)
        return out


def _package_rels() -> str:
    return (
        f'<Relationships xmlns="{_PKG_RELS}"><Relationship Id="rId1" '
        f'Type="{_REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    )


def _workbook_rels(relationships: list[tuple[str, str, str]]) -> str:
    items = "".join(
        f"<Relationship Id={quoteattr(i)} Type={quoteattr(kind or _WORKSHEET)} "
        f"Target={quoteattr(target)}/>"
        for i, kind, target in relationships
    )
    return f'<Relationships xmlns="{_PKG_RELS}">{items}</Relationships>'


def _head(chunks: Iterator[bytes], rows: int, limit: int) -> bytes:
    """The sheet's XML up to the end of its `rows`-th row, closed; read no further than
    `limit` bytes. A sheet shorter than that is returned whole."""
    data = bytearray()
    ends: list[re.Match[bytes]] = []
    for chunk in chunks:
        start = max(len(data) - 16, 0)
        data += chunk
        ends.extend(_ROW_END.finditer(data, start))
        if len(ends) >= rows or len(data) > limit:
            break
    else:
        return bytes(data)  # all of it: a short sheet
    ends = [m for m in ends if m.end() <= limit][:rows]
    if not ends:
        raise ImportFileError(_("The first rows of this workbook are far too large to be a list."))
    prefix = ends[-1].group(1).decode()
    return bytes(data[: ends[-1].end()]) + f"</{prefix}sheetData></{prefix}worksheet>".encode()


def _strings_head(chunks: Iterator[bytes], limit: int) -> bytes:
    """The text table's first strings within `limit` bytes, closed (the header's text comes
    first: Excel writes the table in the order cells first use it)."""
    data = bytearray()
    for chunk in chunks:
        data += chunk
        if len(data) > limit:
            break
    else:
        return bytes(data)
    ends = [m for m in _STRING_END.finditer(data) if m.end() <= limit]
    if not ends:
        raise ImportFileError(
            _(
                "The header of this workbook could not be read without unpacking all "
                "of it. Open it in Excel, save it again, and upload the new copy."
            )
        )
    prefix = ends[-1].group(1).decode()
    return bytes(data[: ends[-1].end()]) + f"</{prefix}sst>".encode()


def _cut_before_damage(chunks: Iterator[bytes], kept: IO[bytes]) -> str | None:
    """Write the sheet's XML to `kept` up to the end of the last row that is whole before the
    damage (XML that does not parse, or a member that stops inflating); its namespace
    prefix, or None when no row is whole."""
    parser = expat.ParserCreate()
    offset = 0  # of the chunk in the sheet
    last_end, prefix = -1, ""
    tail = b""
    try:
        for chunk in chunks:
            try:
                parser.Parse(chunk, False)
                good = chunk
            except expat.ExpatError:
                good = chunk[: max(parser.ErrorByteIndex - offset, 0)]
            window = tail + good
            for match in _ROW_END.finditer(window):
                last_end, prefix = offset - len(tail) + match.end(), match.group(1).decode()
            kept.write(good)
            if len(good) < len(chunk):
                break
            tail = window[-16:]
            offset += len(chunk)
    except DAMAGED:
        pass  # the member stopped inflating: the rows before are what there is
    if last_end < 0:
        return None
    kept.truncate(last_end)
    kept.seek(last_end)
    return prefix
