"""Big files are read (and, for an import, parsed) in a second process while the first
checks and stores: every outcome must be what reading in one process gives."""

from __future__ import annotations

import io
import multiprocessing
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from haven.accounts.models import Organization
from haven.intake.importing import services as import_services
from haven.intake.importing import xlsx
from haven.intake.importing.errors import ImportFileError
from haven.intake.importing.readahead import RowStream
from haven.intake.importing.readers import open_table
from haven.intake.importing.rows import find_header
from haven.intake.models import ImportBatch, ImportedRow, PersonRecord, Request

from .import_helpers import csv_bytes, xlsx_bytes
from .test_import_cli import run, write

pytestmark = pytest.mark.django_db

ROWS = [[f"Person {i}", f"Father {i}", str(1950 + i % 50), "", "", ""] for i in range(130)]


@pytest.fixture
def source(db: None) -> Organization:
    return Organization.objects.create(name="UNHCR Peshawar", kind=Organization.Kind.PARTNER)


@pytest.fixture
def read_ahead_early(settings):
    # Past the third row, so that a small file goes through the second process.
    settings.HAVEN_IMPORT_READ_AHEAD_AFTER_ROWS = 3


def damaged_after(data: bytes, rows: int) -> bytes:
    """The workbook with its sheet's XML broken after `rows` rows (the archive itself intact)."""
    whole, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as damaged:
        for item in whole.infolist():
            content = whole.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                parts = content.split(b"</row>")
                content = b"</row>".join(parts[: rows + 1]) + b"</row><<" + parts[-1]
            damaged.writestr(item, content)
    return out.getvalue()


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_it_imports_every_row_once_and_in_order_through_the_second_process(
    tmp_path, source, read_ahead_early, kind
):
    data = xlsx_bytes(ROWS) if kind == "xlsx" else csv_bytes(ROWS)
    path = write(tmp_path, f"list.{kind}", data)

    dry, _ = run(path, "--dry-run")
    counts, _ = run(path, "--yes")

    assert dry == counts == {"rows": 130, "imported": 130, "rejected": 0, "skipped": 0}
    assert ImportBatch.objects.get().status == "done"
    numbers = list(ImportedRow.objects.order_by("request_id").values_list("row_number", flat=True))
    assert numbers == list(range(2, 132))  # after the header row, in the file's order
    assert PersonRecord.objects.get(full_name="Person 129").father_name == "Father 129"
    assert not multiprocessing.active_children()


def test_a_crash_part_way_stops_the_reader_and_running_again_completes_it(
    tmp_path, source, read_ahead_early, monkeypatch
):
    monkeypatch.setattr(import_services, "CHUNK_ROWS", 40)
    path = write(tmp_path, "big.xlsx", xlsx_bytes(ROWS))
    real = import_services.requests_create_many
    calls = {"n": 0}

    def crashing(**kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real(**kwargs)

    monkeypatch.setattr(import_services, "requests_create_many", crashing)
    with pytest.raises(KeyboardInterrupt):
        run(path, "--yes")
    assert not multiprocessing.active_children()  # the reading process did not linger
    assert (ImportBatch.objects.get().rows, Request.objects.count()) == (80, 80)

    monkeypatch.setattr(import_services, "requests_create_many", real)
    counts, _ = run(path, "--yes")
    assert counts == {"rows": 130, "imported": 130, "rejected": 0, "skipped": 0}
    assert Request.objects.count() == ImportedRow.objects.count() == 130


def test_damage_found_by_the_second_process_is_reported_and_what_came_before_is_kept(
    tmp_path, source, read_ahead_early, monkeypatch
):
    monkeypatch.setattr(import_services, "CHUNK_ROWS", 40)
    monkeypatch.setattr(xlsx, "_CHUNK", 4096)  # read in small pieces: rows come before damage
    path = write(tmp_path, "damaged.xlsx", damaged_after(xlsx_bytes(ROWS), rows=90))

    with pytest.raises(Exception, match="damaged"):
        run(path, "--yes")

    batch = ImportBatch.objects.get()
    assert batch.status == "failed" and "damaged" in batch.error
    # The first chunk was stored whole; the second, cut short by the damage, rolled back.
    assert batch.rows == batch.imported == Request.objects.count() == 40
    assert not multiprocessing.active_children()


def test_damage_stops_reading_at_the_same_row_in_one_process_or_two(tmp_path, monkeypatch):
    monkeypatch.setattr(xlsx, "_CHUNK", 4096)
    path = write(tmp_path, "damaged.xlsx", damaged_after(xlsx_bytes(ROWS), rows=90))
    read = {}
    for after in (3, 10_000):
        rows: list[object] = []
        with path.open("rb") as fileobj, pytest.raises(ImportFileError, match="damaged"):
            for row in find_header(open_table(fileobj)).stream(read_ahead_after=after):
                rows.append(row)
        read[after] = rows
    assert len(read[3]) > 3 and read[3] == read[10_000]


def test_the_file_reads_the_same_again_after_the_second_process_read_it(tmp_path):
    data = bytes(range(256)) * 400
    path = write(tmp_path, "table.bin", data)

    def pieces(fileobj):  # a reader that leaves data in this process's file buffer
        while piece := fileobj.read(100):
            yield len(piece), [piece.hex()]

    with path.open("rb") as fileobj:
        stream = RowStream(
            pieces(fileobj),
            fraction_read=lambda: 0.0,
            fileobj=fileobj,
            read_ahead_after=3,
        )
        assert sum(n for n, _cells in stream) == len(data)
        # The two processes share the file's offset: the child's reading must not leave
        # this process's buffered file reading from the wrong place (the interactive
        # import reads the file again from the start after its dry run).
        fileobj.seek(0)
        assert fileobj.read() == data


def test_an_upload_is_checked_and_imported_through_the_second_process(
    client_for, intake_officer, source, read_ahead_early, django_capture_on_commit_callbacks
):
    client = client_for(intake_officer)
    client.post(
        reverse("importing:upload"),
        {"file": SimpleUploadedFile("list.xlsx", xlsx_bytes(ROWS)), "source": source.pk},
    )
    batch = ImportBatch.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("importing:preview", args=[batch.pk]),
            {f"column_{i}": f for i, f in enumerate(batch.mapping)},
        )
    batch.refresh_from_db()
    assert (batch.status, batch.preview["rows"], batch.preview["to_import"]) == (
        "previewed",
        130,
        130,
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("importing:start", args=[batch.pk]))
    batch.refresh_from_db()
    assert (batch.status, batch.rows, batch.imported) == ("done", 130, 130)
    assert Request.objects.filter(channel="spreadsheet").count() == 130
    assert not multiprocessing.active_children()
