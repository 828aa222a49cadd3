"""`haven import`: every row ends imported, rejected with a reason, or skipped; re-runs are safe."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from haven.accounts.models import Organization
from haven.audit.models import AuditEvent
from haven.cases.models import CaseRequest
from haven.intake.importing import services as import_services
from haven.intake.models import (
    ImportBatch,
    ImportedRow,
    ImportMapping,
    PersonRecord,
    RejectedRow,
    Request,
)
from haven.intake.tasks import pipeline_drain

from .import_helpers import HEADER, ROWS, csv_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def source(db: None) -> Organization:
    return Organization.objects.create(name="UNHCR Peshawar", kind=Organization.Kind.PARTNER)


def run(path: Path, *args: str) -> tuple[dict[str, int], str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "import", str(path), "--source", "unhcr peshawar", "--json", *args, stdout=out, stderr=err
    )
    text = out.getvalue()
    return json.loads(text.strip().splitlines()[-1]), text


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_every_row_ends_in_exactly_one_state(tmp_path, source):
    counts, _text = run(write(tmp_path, "list.xlsx", xlsx_bytes(ROWS)), "--yes")
    # Six rows: one empty (rejected), one repeating row 1's person with other data (imported).
    assert counts == {"rows": 6, "imported": 5, "rejected": 1, "skipped": 0}
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.rows, batch.imported, batch.rejected) == ("done", 6, 5, 1)
    assert Request.objects.filter(channel="spreadsheet").count() == 5
    assert ImportedRow.objects.count() == 5
    rejected = RejectedRow.objects.get()
    assert (rejected.row_number, rejected.reason) == (4, "empty")


def test_what_was_imported_is_parsed_flagged_and_kept_verbatim(tmp_path, source):
    run(write(tmp_path, "list.csv", csv_bytes(ROWS)), "--yes")
    fatima = PersonRecord.objects.get(full_name="Fatima")
    request = fatima.request
    assert "phone_invalid" in fatima.flags
    assert [(i.kind, i.is_valid, i.value_as_written) for i in fatima.identifiers.all()] == [
        ("phone", False, "not a phone")
    ]
    assert str(fatima.dob) == "1990-04-12"
    # A formula-looking cell is kept as text, never evaluated.
    assert '=HYPERLINK("http://x")' in request.help_requested
    raw = json.loads(request.raw_input)
    assert raw["headers"] == HEADER and raw["cells"][5] == '=HYPERLINK("http://x")'
    assert request.requester is not None and request.requester.organization == source
    # A row with only a malformed date is stored, flagged, and left for data entry.
    no_name = Request.objects.get(person_records__dob_as_written="31/31/31")
    assert no_name.needs_data_entry
    assert set(no_name.person_records.get().flags) >= {"dob_unparsed", "name_missing"}


def test_reimporting_the_same_or_an_overlapping_file_creates_nothing_twice(tmp_path, source):
    run(write(tmp_path, "list.csv", csv_bytes(ROWS)), "--yes")
    again, _ = run(write(tmp_path, "again.csv", csv_bytes(ROWS)), "--yes")
    assert again == {"rows": 6, "imported": 0, "rejected": 1, "skipped": 5}
    # The same rows with the columns in another order, a repeated row, and one new row.
    order = [1, 0, 2, 3, 4, 5]
    overlapping = [
        [row[i] for i in order] for row in [*ROWS, ROWS[0], ["Nazifa", "Karim", "2001", "", "", ""]]
    ]
    counts, _ = run(
        write(tmp_path, "overlap.csv", csv_bytes(overlapping, header=[HEADER[i] for i in order])),
        "--yes",
    )
    assert counts == {"rows": 8, "imported": 1, "rejected": 1, "skipped": 6}
    assert Request.objects.filter(channel="spreadsheet").count() == 6


def test_dry_run_reports_problems_and_same_person_rows_and_writes_nothing(tmp_path, source):
    counts, text = run(write(tmp_path, "list.xlsx", xlsx_bytes(ROWS)), "--dry-run")
    assert counts == {"rows": 6, "imported": 5, "rejected": 1, "skipped": 0}
    assert "Phone number not understood" in text
    assert "Mohammad Zaman Ahmadzai: rows 2, 5" in text
    assert not Request.objects.exists()
    assert not ImportBatch.objects.exists()


def test_without_yes_and_without_a_terminal_nothing_is_imported(tmp_path, source):
    with pytest.raises(CommandError, match="Add --yes"):
        run(write(tmp_path, "list.csv", csv_bytes(ROWS)))
    assert not Request.objects.exists()


def test_a_crash_part_way_is_completed_by_running_the_command_again(tmp_path, source, monkeypatch):
    monkeypatch.setattr(import_services, "CHUNK_ROWS", 40)
    rows = [[f"Person {i}", f"Father {i}", str(1950 + i % 50), "", "", ""] for i in range(130)]
    path = write(tmp_path, "big.xlsx", xlsx_bytes(rows))
    real = import_services.requests_create_many
    calls = {"n": 0}

    def crashing(**kwargs):
        calls["n"] += 1
        if calls["n"] == 3:  # in the third chunk
            raise KeyboardInterrupt  # the operator's Ctrl-C, or a killed process
        return real(**kwargs)

    monkeypatch.setattr(import_services, "requests_create_many", crashing)
    with pytest.raises(KeyboardInterrupt):
        run(path, "--yes")
    batch = ImportBatch.objects.get()
    # The chunk in progress rolled back whole; the committed ones are exactly counted.
    assert (batch.status, batch.rows, batch.imported) == ("failed", 80, 80)
    assert Request.objects.count() == 80
    monkeypatch.setattr(import_services, "requests_create_many", real)
    counts, text = run(path, "--yes")
    assert "Resuming import" in text
    assert counts == {"rows": 130, "imported": 130, "rejected": 0, "skipped": 0}
    assert Request.objects.count() == ImportedRow.objects.count() == 130
    assert ImportBatch.objects.get().status == "done"


def test_a_row_that_cannot_be_stored_is_rejected_and_the_rest_imported(
    tmp_path, source, monkeypatch
):
    real, real_many = import_services.request_create, import_services.requests_create_many

    def is_bad(data):
        return data.people and data.people[0].full_name == "Fatima"

    def failing(*, data, **kwargs):
        if is_bad(data):
            raise ValueError("boom")
        return real(data=data, **kwargs)

    def failing_many(*, entries, **kwargs):
        if any(is_bad(entry.data) for entry in entries):
            raise ValueError("boom")
        return real_many(entries=entries, **kwargs)

    monkeypatch.setattr(import_services, "request_create", failing)
    monkeypatch.setattr(import_services, "requests_create_many", failing_many)
    counts, _ = run(write(tmp_path, "list.csv", csv_bytes(ROWS)), "--yes")
    assert counts == {"rows": 6, "imported": 4, "rejected": 2, "skipped": 0}
    stored_failed = RejectedRow.objects.get(reason="store_failed")
    assert stored_failed.cells[0] == "Fatima"


def test_a_mapping_file_corrects_columns_and_is_remembered_for_the_source(tmp_path, source):
    mapping = write(
        tmp_path, "mapping.json", json.dumps({"Notes": "ignore", "Passport": "unhcr"}).encode()
    )
    run(write(tmp_path, "list.csv", csv_bytes(ROWS)), "--yes", "--mapping", str(mapping))
    assert ImportMapping.objects.get(organization=source).columns == {
        "notes": "ignore",
        "passport": "unhcr",
    }
    assert "HYPERLINK" not in Request.objects.get(person_records__full_name="Fatima").help_requested
    _counts, text = run(
        write(tmp_path, "next.csv", csv_bytes([["Ali", "", "", "", "", "x"]])), "--yes"
    )
    assert "Notes                          -> ignore" in text


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", "The file is empty."),
        ("report.xlsx", b"%PDF-1.4\n\x00\x00 binary", "This file is a PDF document"),
        ("columns.csv", b"Colour,Weight\nred,3\n", "No recognisable columns"),
        ("broken.xlsx", b"PK\x03\x04garbage", "damaged"),
    ],
)
def test_bad_files_get_a_clear_message_and_write_nothing(tmp_path, source, name, content, message):
    with pytest.raises(CommandError, match=message):
        run(write(tmp_path, name, content), "--yes")
    assert not Request.objects.exists()


def test_an_unknown_source_is_refused_with_the_known_ones(tmp_path, source):
    with pytest.raises(CommandError, match="UNHCR Peshawar"):
        call_command(
            "import", str(write(tmp_path, "l.csv", csv_bytes(ROWS))), "--source", "Nobody", "--yes"
        )


def test_each_import_is_audited(tmp_path, source):
    run(write(tmp_path, "list.csv", csv_bytes(ROWS)), "--yes")
    batch = ImportBatch.objects.get()
    events = AuditEvent.objects.filter(object_type="intake.importbatch", object_id=str(batch.pk))
    assert set(events.values_list("action", flat=True)) == {"create", "update"}
    assert events.get(action="update").details == {
        "rows": 6,
        "imported": 5,
        "rejected": 1,
        "skipped": 0,
    }


def test_an_import_has_one_requester_for_its_source_and_an_event_per_request(tmp_path, source):
    run(write(tmp_path, "list.csv", csv_bytes(ROWS)), "--yes")
    requests = Request.objects.filter(channel="spreadsheet")
    assert requests.count() == 5
    # Every row came from the same office: one requester row, not one per request.
    assert set(requests.values_list("requester__organization", flat=True)) == {source.pk}
    assert requests.values("requester").distinct().count() == 1
    events = AuditEvent.objects.filter(object_type="intake.request", action="create")
    assert sorted(events.values_list("object_id", flat=True)) == sorted(
        str(pk) for pk in requests.values_list("pk", flat=True)
    )
    assert {e.details["people"] for e in events} <= {0, 1}
    assert all(e.summary.startswith("Request HV-") and e.at is not None for e in events)


def test_a_dari_list_in_windows_1256_is_imported_and_searchable(tmp_path, source):
    # Arabic Windows has the Arabic yeh (ي) where Dari writes ی.
    header = [h.replace("ی", "ي") for h in ["نام", "نام پدر", "تاریخ تولد", "شماره تماس", "ولایت"]]
    row = ["زبيح الله", "گل احمد", "1365/04/12", "0700123456", "ننگرهار"]
    counts, _ = run(
        write(tmp_path, "dari.csv", csv_bytes([row], header=header, encoding="cp1256")), "--yes"
    )
    assert counts == {"rows": 1, "imported": 1, "rejected": 0, "skipped": 0}
    person = PersonRecord.objects.get()
    assert (person.given_name, person.father_name, person.province) == (
        "زبيح الله",
        "گل احمد",
        "ننگرهار",
    )
    assert str(person.dob) == "1986-07-03" and "dob_solar_hijri" in person.flags
    assert "zbyh" in person.search_text


def test_rows_wait_for_the_background_worker_which_opens_their_cases(tmp_path, source):
    _counts, text = run(write(tmp_path, "list.csv", csv_bytes(ROWS)), "--yes")

    assert "5 requests received, waiting to be matched" in text
    assert "haven intake-drain" in text
    assert Request.objects.filter(pipeline_pending=True).count() == 5
    assert not CaseRequest.objects.exists()
    assert pipeline_drain.call() == 5
    assert CaseRequest.objects.count() == 5
    assert not Request.objects.filter(pipeline_pending=True).exists()


def test_match_now_attaches_each_chunk_before_going_on(tmp_path, source):
    _counts, text = run(write(tmp_path, "list.csv", csv_bytes(ROWS)), "--yes", "--match-now")

    assert "waiting to be matched" not in text
    assert not Request.objects.filter(pipeline_pending=True).exists()
    assert CaseRequest.objects.count() == 5
