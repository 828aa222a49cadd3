"""The import pages, end to end over HTTP: upload, correct columns, dry run, import, error report."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from haven.accounts.models import Organization
from haven.audit.models import AuditEvent
from haven.intake.models import ImportBatch, ImportMapping, RejectedRow, Request

from .import_helpers import ROWS, csv_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def source(db: None) -> Organization:
    return Organization.objects.create(name="IOM Kabul", kind=Organization.Kind.PARTNER)


def upload(client, data: bytes, name: str = "list.xlsx", **extra):
    fields = {"file": SimpleUploadedFile(name, data), **extra}
    return client.post(reverse("importing:upload"), fields)


def test_staff_import_a_list_from_upload_to_error_report(
    client_for, intake_officer, source, django_capture_on_commit_callbacks
):
    client = client_for(intake_officer)
    response = upload(client, xlsx_bytes(ROWS), source=source.pk)
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("importing:detail", args=[batch.pk])
    page = client.get(response["Location"]).content.decode()
    assert 'name="column_5"' in page and "selected>Note (kept with its column name)" in page

    # Staff correct a column (Passport -> UNHCR number), then run the dry run.
    mapping = {f"column_{i}": field for i, field in enumerate(batch.mapping)}
    mapping["column_4"] = "unhcr"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("importing:preview", args=[batch.pk]), mapping)
    batch.refresh_from_db()
    assert batch.status == "previewed" and not Request.objects.exists()
    page = client.get(reverse("importing:detail", args=[batch.pk])).content.decode()
    assert "Rows that look like the same person" in page
    assert "Mohammad Zaman Ahmadzai: rows 2, 5" in page
    assert "Phone number not understood" in page
    # Script in a cell is shown as text, never run.
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("importing:start", args=[batch.pk]))
    batch.refresh_from_db()
    assert (batch.status, batch.rows, batch.imported, batch.rejected, batch.skipped) == (
        "done",
        6,
        5,
        1,
        0,
    )
    assert batch.stored_path == ""
    assert Request.objects.filter(channel="spreadsheet").count() == 5
    assert ImportMapping.objects.get(organization=source).columns == {"passport": "unhcr"}
    progress = client.get(reverse("importing:progress", args=[batch.pk]))
    assert progress["HX-Refresh"] == "true"
    # Until the background worker has matched them, the import's page says they wait.
    Request.objects.update(pipeline_pending=True)
    page = client.get(reverse("importing:detail", args=[batch.pk])).content.decode()
    assert "5 requests received, waiting to be matched" in page
    Request.objects.update(pipeline_pending=False)

    report = client.get(reverse("importing:errors", args=[batch.pk]))
    assert report.status_code == 200
    lines = list(csv.reader(io.StringIO(b"".join(report.streaming_content).decode("utf-8-sig"))))
    assert lines[0][:4] == ["row", "reason", "message", "Name"]
    assert lines[1][:2] == ["4", "empty"]
    assert AuditEvent.objects.filter(action="export", object_id=str(batch.pk)).count() == 1


def test_error_report_neutralises_formula_cells(client_for, intake_officer, source):
    batch = ImportBatch.objects.create(
        organization=source, file_name="x.csv", headers=["Name", "Note"], status="done", rejected=1
    )
    RejectedRow.objects.create(
        batch=batch,
        row_number=7,
        reason="store_failed",
        message="=cmd|' /C calc'!A0",
        cells=['=HYPERLINK("http://evil")', "+1", "-2", "@SUM(A1)", "plain"],
    )
    report = client_for(intake_officer).get(reverse("importing:errors", args=[batch.pk]))
    row = list(csv.reader(io.StringIO(b"".join(report.streaming_content).decode("utf-8-sig"))))[1]
    assert row == [
        "7",
        "store_failed",
        "'=cmd|' /C calc'!A0",
        '\'=HYPERLINK("http://evil")',
        "'+1",
        "'-2",
        "'@SUM(A1)",
        "plain",
    ]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "list.xlsx",
            b"%PDF-1.4\n%\xe2\xe3 binary",
            "This file is a PDF document, not a spreadsheet",
        ),
        ("list.xlsx", b"PK\x03\x04\x14\x00broken", "damaged or is another kind of ZIP archive"),
        ("list.csv", b"Colour,Weight\nred,3\n", "No recognisable columns"),
        ("list.csv", b"", "The submitted file is empty."),
    ],
)
def test_bad_uploads_get_a_clear_message_and_store_nothing(
    client_for, intake_officer, source, name, content, message
):
    response = upload(client_for(intake_officer), content, name, source=source.pk)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ImportBatch.objects.exists()


@override_settings(HAVEN_MAX_UPLOAD_BYTES=2000)
@pytest.mark.parametrize("size", [3000, 200_000])
def test_an_oversized_upload_gets_413_and_a_clear_message(client_for, intake_officer, source, size):
    data = csv_bytes([["Ahmad", "Gul", "1988", "", "", "x" * size]])
    response = upload(client_for(intake_officer), data, "big.csv", source=source.pk)
    assert response.status_code == 413
    assert "larger than the upload limit" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_a_new_source_can_be_named_on_upload(client_for, caseworker):
    response = upload(client_for(caseworker), csv_bytes(ROWS), "l.csv", new_source="US Embassy")
    assert response.status_code == 302
    organization = ImportBatch.objects.get().organization
    assert organization is not None and organization.name == "US Embassy"


@pytest.mark.parametrize("persona", ["partner_a", "outsider"])
def test_only_staff_who_enter_requests_may_import(request, client_for, persona, source):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("importing:list")).status_code == 403
    assert upload(client, csv_bytes(ROWS), "l.csv", source=source.pk).status_code == 403
    assert not ImportBatch.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("importing:list"))
    assert response.status_code == 302 and "/accounts/" in response["Location"]


def test_staff_can_read_an_imported_row_as_it_came(
    client_for, intake_officer, source, django_capture_on_commit_callbacks
):
    client = client_for(intake_officer)
    upload(client, csv_bytes(ROWS), "l.csv", source=source.pk)
    batch = ImportBatch.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("importing:preview", args=[batch.pk]),
            {f"column_{i}": f for i, f in enumerate(batch.mapping)},
        )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("importing:start", args=[batch.pk]))
    request = Request.objects.get(person_records__full_name__startswith="<script>")
    page = client.get(reverse("importing:original", args=[request.receipt_number])).content
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in page and b"<script>alert" not in page
    assert AuditEvent.objects.filter(action="view", object_id=str(request.pk)).exists()


def test_an_import_whose_worker_died_is_resumed_from_the_page(
    client_for, intake_officer, source, django_capture_on_commit_callbacks, monkeypatch
):
    from haven.intake.importing import services as import_services

    monkeypatch.setattr(import_services, "CHUNK_ROWS", 40)
    client = client_for(intake_officer)
    rows = [[f"Person {i}", "Father", "1980", "", "", ""] for i in range(130)]
    upload(client, xlsx_bytes(rows), source=source.pk)
    batch = ImportBatch.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("importing:preview", args=[batch.pk]),
            {f"column_{i}": f for i, f in enumerate(batch.mapping)},
        )
    real = import_services._import_chunk_with_retry
    calls = {"n": 0}

    def dies_on_the_third_chunk(**kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("worker lost")
        return real(**kwargs)

    monkeypatch.setattr(import_services, "_import_chunk_with_retry", dies_on_the_third_chunk)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("importing:start", args=[batch.pk]))
    batch.refresh_from_db()
    assert (batch.status, batch.rows) == ("failed", 80)
    assert (
        "Resume the import"
        in client.get(reverse("importing:detail", args=[batch.pk])).content.decode()
    )
    monkeypatch.setattr(import_services, "_import_chunk_with_retry", real)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("importing:start", args=[batch.pk]))
    batch.refresh_from_db()
    assert (batch.status, batch.rows, batch.imported) == ("done", 130, 130)
    assert Request.objects.count() == 130


def test_an_upload_without_the_csrf_token_is_refused(intake_officer, source):
    from haven.conftest import verified_client

    client = verified_client(intake_officer, enforce_csrf_checks=True)
    assert upload(client, csv_bytes(ROWS), "l.csv", source=source.pk).status_code == 403
    assert not ImportBatch.objects.exists()
