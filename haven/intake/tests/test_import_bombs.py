"""Zip bombs (issue 11 item 18): a workbook's unpacked size and compression ratio are bounded
before anything is inflated, and the upload page reads no more of a workbook than its header;
the whole file is read in the background job."""

from __future__ import annotations

import io
import secrets
import zipfile
from pathlib import Path

import pytest
import python_calamine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from haven.accounts.models import Organization
from haven.intake.importing import xlsx
from haven.intake.importing.errors import ImportFileError
from haven.intake.importing.readers import open_table
from haven.intake.models import ImportBatch

from .import_helpers import HEADER, ROWS

pytestmark = pytest.mark.django_db


def shared_strings_workbook(rows: list[list[str]], extra: list[str] = ()) -> bytes:  # type: ignore[assignment]
    """An XLSX whose cells are all shared strings (as Excel writes them), with `extra` strings
    appended to the table, unreferenced by any cell: as in the reported bomb, a text table far
    larger than the sheet needs."""
    from xml.sax.saxutils import escape

    strings: list[str] = []
    sheet_rows = []
    for r, row in enumerate(rows, start=1):
        cells = []
        for c, value in enumerate(row):
            strings.append(value)
            cells.append(f'<c r="{chr(65 + c)}{r}" t="s"><v>{len(strings) - 1}</v></c>')
        sheet_rows.append(f'<row r="{r}">{"".join(cells)}</row>')
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parts = {
        "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        "xl/workbook.xml": f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets>'
        '<sheet name="List" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/'
        'package/2006/relationships"><Relationship Id="rId1" Target="worksheets/sheet1.xml"/>'
        "</Relationships>",
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{main}"><sheetData>'
        f"{''.join(sheet_rows)}</sheetData></worksheet>",
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for name, body in parts.items():
            target.writestr(name, body)
        with target.open("xl/sharedStrings.xml", "w") as stream:
            stream.write(f'<sst xmlns="{main}">'.encode())
            for value in [*strings, *extra]:
                stream.write(f"<si><t>{escape(value)}</t></si>".encode())
            stream.write(b"</sst>")
    return out.getvalue()


LIST = [HEADER, *ROWS]


def repeated_bomb(megabytes: int) -> bytes:
    """A few MB of one repeated string: inflates about a thousand times its packed size."""
    one = "A" * 1000
    return shared_strings_workbook(LIST, [one] * (megabytes * 1000))


def incompressible(megabytes: int) -> bytes:
    """A text table of random strings: large unpacked, but no suspicious ratio."""
    return shared_strings_workbook(LIST, [secrets.token_hex(500) for _ in range(megabytes * 1000)])


@pytest.fixture
def source(db: None) -> Organization:
    return Organization.objects.create(name="IOM Kabul", kind=Organization.Kind.PARTNER)


def upload(client, data: bytes, source: Organization):
    return client.post(
        reverse("importing:upload"),
        {"file": SimpleUploadedFile("list.xlsx", data), "source": source.pk},
    )


def test_a_workbook_unpacking_to_a_thousand_times_its_size_is_refused_before_reading(
    client_for, intake_officer, source, monkeypatch
):
    data = repeated_bomb(4)
    assert len(data) < 200_000  # 4 MB of text packed into a few dozen KB
    inflated: list[str] = []
    original = zipfile.ZipFile.open

    def spy(self, name, *args, **kwargs):
        inflated.append(str(getattr(name, "filename", name)))
        return original(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", spy)

    response = upload(client_for(intake_officer), data, source)

    assert response.status_code == 400
    assert "zip bombs" in response.text
    assert "xl/sharedStrings.xml" not in inflated
    assert not ImportBatch.objects.exists()


def test_a_workbook_over_the_unpacked_size_bound_is_refused_with_the_bound(settings, tmp_path):
    settings.HAVEN_IMPORT_MAX_UNCOMPRESSED_BYTES = 2_000_000
    data = incompressible(3)
    with pytest.raises(ImportFileError, match="unpacks to 3 MB, more than the 2 MB"):
        open_table(io.BytesIO(data))


def test_the_ratio_bound_is_a_setting(settings):
    data = repeated_bomb(2)
    with pytest.raises(ImportFileError, match="zip bombs"):
        open_table(io.BytesIO(data))
    settings.HAVEN_IMPORT_MAX_COMPRESSION_RATIO = 100_000
    assert open_table(io.BytesIO(data)).format == "xlsx"


def test_haven_import_refuses_a_bomb_with_a_message_not_a_traceback(tmp_path: Path, source):
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(repeated_bomb(2))
    with pytest.raises(CommandError, match="zip bombs"):
        call_command(
            "import",
            str(path),
            "--source",
            source.name,
            "--yes",
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )


def test_the_upload_page_reads_only_the_header_and_the_job_reads_the_rest(
    client_for, intake_officer, source, monkeypatch, django_capture_on_commit_callbacks
):
    data = incompressible(3)  # within the bounds: a legitimate, large text table
    given: list[int] = []  # what each workbook handed to the reader unpacks to
    real = python_calamine.CalamineWorkbook

    class Spy:
        @staticmethod
        def from_filelike(fileobj):
            given.append(sum(i.file_size for i in zipfile.ZipFile(fileobj).infolist()))
            fileobj.seek(0)
            return real.from_filelike(fileobj)

    monkeypatch.setattr(python_calamine, "CalamineWorkbook", Spy)
    client = client_for(intake_officer)

    response = upload(client, data, source)

    assert response.status_code == 302
    assert given and max(given) < 1_000_000  # the web request read an excerpt, not 3 MB
    batch = ImportBatch.objects.get()
    assert batch.headers[:3] == ["Name", "Father's name", "DOB"]

    given.clear()
    mapping = {f"column_{i}": field for i, field in enumerate(batch.mapping)}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("importing:preview", args=[batch.pk]), mapping)
    batch.refresh_from_db()
    assert batch.status == "previewed" and batch.preview["rows"] == len(ROWS)
    assert min(given) > 3_000_000  # the background job read all of it


def test_a_header_read_stops_at_its_limit(monkeypatch):
    monkeypatch.setattr(xlsx, "HEADER_READ_LIMIT", 64 * 1024)
    table = xlsx.XlsxTable(io.BytesIO(incompressible(1)), header_only=True)
    assert next(table.rows())[1][0] == "Name"  # the header's strings come first: read
    # A header whose text is stored after the first 64 KB of the text table: not unpacked.
    whole, out = zipfile.ZipFile(io.BytesIO(incompressible(1))), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as late:
        for item in whole.infolist():
            body = whole.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = body.replace(b"<v>0</v>", b"<v>900</v>", 1)
            late.writestr(item.filename, body)
    table = xlsx.XlsxTable(io.BytesIO(out.getvalue()), header_only=True)
    with pytest.raises(ImportFileError, match="without unpacking all"):
        next(table.rows())


def stretched(first: str, last: str, quote: str = '"') -> bytes:
    """A tiny workbook whose two cells lie far apart (the reader allocates every cell
    between them)."""
    data = shared_strings_workbook([["Name"]])
    whole, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in whole.infolist():
            body = whole.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                row = last.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
                far = f"<row r={quote}{row}{quote}><c r = {quote}{last}{quote}><v>1</v></c></row>"
                body = body.replace(b'r="A1"', f'r="{first}"'.encode())
                body = body.replace(b"</sheetData>", f"{far}</sheetData>".encode())
            target.writestr(item.filename, body)
    return out.getvalue()


@pytest.mark.parametrize(
    ("last", "quote"),
    [("XFD1048576", '"'), ("XFD1048576", "'"), ("A1048576", '"'), ("ZZ99999", '"')],
)
def test_a_sheet_stretched_far_beyond_its_cells_is_refused(last, quote):
    for header_only in (False, True):
        with pytest.raises(ImportFileError, match="more cells than Haven reads"):
            table = open_table(io.BytesIO(stretched("A1", last, quote)), header_only=header_only)
            list(table.rows())


def test_a_small_sheet_with_a_stray_cell_far_to_the_right_is_read():
    rows = list(open_table(io.BytesIO(stretched("A1", "AMJ50"))).rows())
    assert rows[0] == (1, ["Name"]) and len(rows) == 50
    assert len(rows[-1][1]) == 1024 and rows[-1][1][-1] == "1"
