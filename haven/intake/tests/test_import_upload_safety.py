"""Uploads to import, spreadsheets and mailboxes alike: sealed at rest, and scanned by ClamAV's
daemon (when one is configured) before anything is stored."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from haven.accounts.models import Organization
from haven.common.tests.fake_clamd import EICAR, clamd, closed_port_url
from haven.intake.models import ImportBatch, Request

from .import_helpers import ROWS, csv_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db
__all__ = ["clamd"]  # the fake scanner fixture, used by name


@pytest.fixture
def source(db: None) -> Organization:
    return Organization.objects.create(name="IOM Kabul", kind=Organization.Kind.PARTNER)


def upload_sheet(client, data: bytes, source: Organization, name: str = "list.xlsx"):
    return client.post(
        reverse("importing:upload"), {"file": SimpleUploadedFile(name, data), "source": source.pk}
    )


def upload_mail(client, data: bytes, name: str = "inbox.mbox"):
    return client.post(
        reverse("importing:mail_upload"), {"mailbox": [SimpleUploadedFile(name, data)]}
    )


def dry_run_and_import(client, batch: ImportBatch, capture) -> None:
    mapping = {f"column_{i}": field for i, field in enumerate(batch.mapping)}
    with capture(execute=True):
        client.post(reverse("importing:preview", args=[batch.pk]), mapping)
    with capture(execute=True):
        client.post(reverse("importing:start", args=[batch.pk]))
    batch.refresh_from_db()


MBOX = (
    b"From writer@example.org Tue Aug 24 09:30:00 2021\n"
    b"From: writer@example.org\nSubject: Nilab Sadiqi 23/12/1982\n"
    b"Message-ID: <one@x>\n\nName: Nilab Sadiqi\n"
)


def test_an_uploaded_spreadsheet_is_encrypted_at_rest_and_still_imports(
    client_for, intake_officer, source, django_capture_on_commit_callbacks
):
    client = client_for(intake_officer)
    assert upload_sheet(client, csv_bytes(ROWS), source, name="list.csv").status_code == 302
    batch = ImportBatch.objects.get()
    with default_storage.open(batch.stored_path, "rb") as stored:
        data = stored.read()
    assert data and b"Ahmadzai" not in data and b"P12345678" not in data
    dry_run_and_import(client, batch, django_capture_on_commit_callbacks)
    assert (batch.status, batch.imported) == ("done", 5)
    assert Request.objects.filter(channel="spreadsheet").count() == 5


def test_a_spreadsheet_stored_in_clear_before_sealing_still_imports(
    client_for, intake_officer, source, django_capture_on_commit_callbacks
):
    client = client_for(intake_officer)
    upload_sheet(client, csv_bytes(ROWS), source, name="list.csv")
    batch = ImportBatch.objects.get()
    # As an upload waiting from an earlier release was stored: the file itself, under imports/.
    legacy = default_storage.save("imports/legacy-upload", SimpleUploadedFile("x", csv_bytes(ROWS)))
    default_storage.delete(batch.stored_path)
    ImportBatch.objects.filter(pk=batch.pk).update(stored_path=legacy)
    dry_run_and_import(client, batch, django_capture_on_commit_callbacks)
    assert (batch.status, batch.imported) == ("done", 5)


def test_a_damaged_sealed_upload_fails_with_a_clear_error(
    client_for, intake_officer, source, django_capture_on_commit_callbacks
):
    client = client_for(intake_officer)
    upload_sheet(client, xlsx_bytes(ROWS), source)
    batch = ImportBatch.objects.get()
    with default_storage.open(batch.stored_path, "rb") as stored:
        data = bytearray(stored.read())
    data[40] ^= 0xFF  # one byte changed on disk
    default_storage.delete(batch.stored_path)
    default_storage.save(batch.stored_path, SimpleUploadedFile("x", bytes(data)))
    dry_run_and_import(client, batch, django_capture_on_commit_callbacks)
    assert batch.status == "failed" and not Request.objects.exists()
    assert "could not be opened" in batch.error


def test_a_spreadsheet_carrying_malware_is_refused_and_not_stored(
    client_for, intake_officer, source, clamd
):
    client = client_for(intake_officer)
    infected = csv_bytes([*ROWS, ["Infected", "", "", "", "", EICAR.decode()]])
    response = upload_sheet(client, infected, source, name="list.csv")
    assert response.status_code == 400
    page = response.content.decode()
    assert "“list.csv” was not stored: the malware scanner found Eicar-Test-Signature" in page
    assert not ImportBatch.objects.exists()
    assert clamd.streams == [infected]  # the whole file went to the scanner


def test_a_clean_spreadsheet_is_scanned_then_stored(client_for, intake_officer, source, clamd):
    client = client_for(intake_officer)
    data = xlsx_bytes(ROWS)
    assert upload_sheet(client, data, source).status_code == 302
    assert ImportBatch.objects.count() == 1
    assert clamd.streams == [data]


def test_a_spreadsheet_is_refused_while_the_scanner_is_down(
    client_for, intake_officer, source, settings
):
    settings.HAVEN_CLAMD_URL = closed_port_url()
    settings.HAVEN_CLAMD_TIMEOUT_SECONDS = 2
    response = upload_sheet(client_for(intake_officer), xlsx_bytes(ROWS), source)
    assert response.status_code == 400
    assert "the malware scanner did not answer" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_a_mailbox_carrying_malware_is_refused_and_not_stored(client_for, intake_officer, clamd):
    infected = MBOX + b"\n" + EICAR + b"\n"
    response = upload_mail(client_for(intake_officer), infected)
    assert response.status_code == 400
    assert "“inbox.mbox” was not stored: the malware scanner found" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_a_clean_mailbox_is_scanned_then_stored(client_for, intake_officer, clamd):
    response = upload_mail(client_for(intake_officer), MBOX)
    assert response.status_code == 302
    assert ImportBatch.objects.filter(kind=ImportBatch.Kind.EMAIL).count() == 1
    assert clamd.streams == [MBOX]
