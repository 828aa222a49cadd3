"""A damaged workbook: the rows before the damage are read (and imported, chunk by chunk),
then reading stops with a message saying the file is damaged; importing a repaired copy
stores only the rows not stored before."""

from __future__ import annotations

import io
import zipfile

import pytest

from haven.accounts.models import Organization
from haven.intake.importing import services as import_services
from haven.intake.importing.errors import ImportFileError
from haven.intake.importing.readers import open_table
from haven.intake.importing.rows import find_header
from haven.intake.models import ImportBatch, Request

from .import_helpers import xlsx_bytes
from .test_import_cli import run, write

pytestmark = pytest.mark.django_db

ROWS = [[f"Person {i}", f"Father {i}", str(1950 + i % 50), "", "", ""] for i in range(130)]
SHEET = "xl/worksheets/sheet1.xml"


@pytest.fixture
def source(db: None) -> Organization:
    return Organization.objects.create(name="UNHCR Peshawar", kind=Organization.Kind.PARTNER)


def damaged_after(data: bytes, rows: int) -> bytes:
    """The workbook with its sheet's XML broken after `rows` rows (the archive itself intact)."""
    whole, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as damaged:
        for item in whole.infolist():
            content = whole.read(item.filename)
            if item.filename == SHEET:
                parts = content.split(b"</row>")
                content = b"</row>".join(parts[: rows + 1]) + b"</row><<" + parts[-1]
            damaged.writestr(item, content)
    return out.getvalue()


def corrupted_deflate(data: bytes) -> bytes:
    """The workbook with bytes of its deflated sheet overwritten half-way through."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    info = archive.getinfo(SHEET)
    local_header = 30 + len(info.filename.encode()) + len(info.extra)
    middle = info.header_offset + local_header + info.compress_size // 2
    return data[:middle] + b"\xff" * 64 + data[middle + 64 :]


def read_rows(data: bytes) -> tuple[list[tuple[int, list[str]]], str]:
    rows: list[tuple[int, list[str]]] = []
    with pytest.raises(ImportFileError) as raised:
        for row in find_header(open_table(io.BytesIO(data))).stream():
            rows.append(row)
    return rows, raised.value.message


def test_reading_stops_after_the_last_whole_row_before_the_damage():
    rows, message = read_rows(damaged_after(xlsx_bytes(ROWS), rows=90))
    assert "damaged" in message
    assert [number for number, _cells in rows] == list(range(2, 92))
    assert rows[-1][1][:2] == ["Person 89", "Father 89"]


def test_a_sheet_that_stops_inflating_gives_up_the_rows_before():
    many = [[f"Person {i}", f"Father {i}", f"{i:09d}", "", "", ""] for i in range(3000)]
    rows, message = read_rows(corrupted_deflate(xlsx_bytes(many)))
    assert "damaged" in message
    assert 0 < len(rows) < 3000
    assert rows == [(i + 2, many[i][:3]) for i in range(len(rows))]


def test_damage_is_reported_and_what_came_before_is_kept(tmp_path, source, monkeypatch):
    monkeypatch.setattr(import_services, "CHUNK_ROWS", 40)
    path = write(tmp_path, "damaged.xlsx", damaged_after(xlsx_bytes(ROWS), rows=90))

    with pytest.raises(Exception, match="damaged"):
        run(path, "--yes")

    batch = ImportBatch.objects.get()
    assert batch.status == "failed" and "damaged" in batch.error
    # The first two chunks were stored whole; the third, cut short by the damage, rolled back.
    assert batch.rows == batch.imported == Request.objects.count() == 80

    # The repaired copy: the rows stored before the damage are not stored twice.
    counts, _text = run(write(tmp_path, "repaired.xlsx", xlsx_bytes(ROWS)), "--yes")
    assert counts == {"rows": 130, "imported": 50, "rejected": 0, "skipped": 80}
    assert Request.objects.count() == 130
