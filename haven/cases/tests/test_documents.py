"""Case documents through HTTP: upload on the case page, stored encrypted, served safely."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from PIL import Image

from haven.audit.models import AuditEvent
from haven.cases import document_store
from haven.cases.models import CaseEvent, Document
from haven.cases.signals import documents_added

from .document_helpers import (
    CANARY,
    EXE,
    jpeg_with_gps,
    new_case,
    pdf,
    png_bomb,
    stored_files,
    upload,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("document_root")]


def _post(client, case, name, data, kind="passport", **extra):
    return client.post(
        reverse("cases:document_upload", args=[case.pk]),
        {"kind": kind, "file": upload(name, data), "description": "", **extra},
    )


def test_it_keeps_an_upload_encrypted_under_a_random_name(client_for, caseworker, document_root):
    case = new_case()
    client = client_for(caseworker)
    response = _post(client, case, f"passport_{CANARY}.pdf", pdf())
    assert response.status_code == 302
    document = Document.objects.get()
    assert document.kind == "passport" and document.content_type == "application/pdf"
    assert document.source == Document.Source.CASE_PAGE
    assert document.scan_status == Document.Scan.NOT_SCANNED  # no scanner in tests
    (path,) = stored_files(document_root)
    on_disk = path.read_bytes()
    assert CANARY.encode() not in on_disk and b"%PDF" not in on_disk
    assert CANARY not in str(path) and "passport" not in str(path)
    assert document.original_name == f"passport_{CANARY}.pdf"
    assert document_store.file_read(document.file.name) == pdf()
    assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.DOCUMENT_ADDED).exists()
    assert AuditEvent.objects.filter(
        object_type="cases.document", object_id=str(document.pk), action="create"
    ).exists()


def test_the_case_page_lists_documents_and_says_there_is_no_scanner(client_for, caseworker):
    case = new_case()
    client = client_for(caseworker)
    _post(client, case, "letter.pdf", pdf(), kind="recommendation_letter")
    page = client.get(reverse("cases:detail", args=[case.pk])).text
    assert 'id="documents"' in page and "letter.pdf" in page
    assert "Recommendation letter" in page and "data-document=" in page
    assert "No malware scanner is configured" in page
    assert reverse("cases:document_download", args=[Document.objects.get().pk]) in page


def test_a_download_is_an_audited_attachment(client_for, caseworker):
    case = new_case()
    client = client_for(caseworker)
    _post(client, case, "scan.pdf", pdf())
    document = Document.objects.get()
    response = client.get(reverse("cases:document_download", args=[document.pk]))
    assert response.status_code == 200
    assert response.content == pdf()
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    read = AuditEvent.objects.filter(
        object_type="cases.document", object_id=str(document.pk), action="view"
    )
    assert read.count() == 1 and read.get().actor == caseworker


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("letter.html", b"<!doctype html><html><body><script>alert(1)</script></body></html>"),
        (
            "stamp.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        ),
    ],
)
def test_html_and_svg_are_served_as_attachments_never_inline(client_for, caseworker, name, data):
    case = new_case()
    client = client_for(caseworker)
    assert _post(client, case, name, data, kind="other").status_code == 302
    document = Document.objects.get()
    response = client.get(reverse("cases:document_download", args=[document.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert response.content == data


def test_it_strips_exif_and_gps_from_photos(client_for, caseworker):
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the test has GPS
    case = new_case()
    _post(client_for(caseworker), case, "IMG_0001.JPG", original)
    document = Document.objects.get()
    kept = document_store.file_read(document.file.name)
    image = Image.open(io.BytesIO(kept))
    assert image.format == "JPEG" and image.size == (64, 48)
    assert not image.getexif()
    assert "exif" not in image.info and "comment" not in image.info
    assert b"CanaryPhoneMaker" not in kept and b"CanaryComment" not in kept
    assert document.size == len(kept)
    assert document.original_name == "IMG_0001.JPG"


def test_it_refuses_a_program_named_like_a_photo_and_keeps_the_form(client_for, caseworker):
    case = new_case()
    response = _post(client_for(caseworker), case, "scan.jpg", EXE, description="Brother's tazkira")
    assert response.status_code == 400
    assert "a Windows program" in response.text
    assert "Brother&#x27;s tazkira" in response.text  # what was typed is still there
    assert "Choose the file again" in response.text
    assert not Document.objects.exists()


def test_it_refuses_an_empty_file(client_for, caseworker):
    response = _post(client_for(caseworker), new_case(), "empty.pdf", b"")
    assert response.status_code == 400
    assert "The file is empty" in response.text
    assert not Document.objects.exists()


def test_it_refuses_an_oversized_file(client_for, caseworker, settings):
    settings.HAVEN_DOCUMENT_MAX_BYTES = 1000
    response = _post(client_for(caseworker), new_case(), "big.pdf", pdf("x" * 5000))
    assert response.status_code == 400
    assert "a document may be at most 1000" in response.text
    assert not Document.objects.exists()


def test_it_refuses_a_decompression_bomb_before_decoding_it(client_for, caseworker):
    bomb = png_bomb()
    assert len(bomb) < 1000
    response = _post(client_for(caseworker), new_case(), "scan.png", bomb)
    assert response.status_code == 400
    assert "too large to open safely" in response.text
    assert not Document.objects.exists()


def test_it_refuses_a_damaged_image(client_for, caseworker):
    damaged = jpeg_with_gps()[:200]
    response = _post(client_for(caseworker), new_case(), "scan.jpg", damaged)
    assert response.status_code == 400
    assert "could not be read" in response.text


def test_a_name_with_folders_or_a_right_to_left_override_is_cleaned(client_for, caseworker):
    client = client_for(caseworker)
    case = new_case()
    response = _post(client, case, "..\\..\\etc/scan\u202efdp.exe", pdf())
    assert response.status_code == 302
    document = Document.objects.get()
    assert document.original_name == "scanfdp.pdf"
    page = client.get(reverse("cases:detail", args=[case.pk])).text
    # Django's upload parser already drops folders and unprintable characters from a form's
    # file names; an e-mail's names come through clean_name (below).
    assert "\u202e" not in page
    assert "it is kept as .pdf" in page


def test_it_sends_documents_added_with_the_evidence(client_for, caseworker):
    received = []

    def receiver(**kwargs):
        received.append(kwargs)

    documents_added.connect(receiver, dispatch_uid="test-documents-added")
    try:
        case = new_case()
        _post(client_for(caseworker), case, "tazkira.pdf", pdf(), kind="tazkira")
    finally:
        documents_added.disconnect(dispatch_uid="test-documents-added")
    (sent,) = received
    assert sent["case"] == case and sent["kinds"] == ["tazkira"]
    assert sent["evidence"] == {"identity_document"}
    assert sent["actor"] == caseworker


def test_outsiders_and_partners_get_404_and_intake_officers_cannot_open(
    client_for, caseworker, intake_officer, partner_a, outsider
):
    case = new_case()
    _post(client_for(caseworker), case, "scan.pdf", pdf())
    url = reverse("cases:document_download", args=[Document.objects.get().pk])
    for user in (partner_a, outsider, intake_officer):
        response = client_for(user).get(url)
        assert response.status_code == 404, user.role
        assert CANARY.encode() not in response.content
    assert not AuditEvent.objects.filter(object_type="cases.document", action="view").exists()
    assert AuditEvent.objects.filter(action="denied").count() >= 3
    page = client_for(intake_officer).get(reverse("cases:detail", args=[case.pk])).text
    assert "scan.pdf" in page and url not in page
    assert client_for(partner_a).get(reverse("cases:detail", args=[case.pk])).status_code in {
        403,
        404,
    }


def test_an_intake_officer_may_upload_on_the_case_page(client_for, intake_officer):
    case = new_case()
    response = _post(client_for(intake_officer), case, "scan.pdf", pdf())
    assert response.status_code == 302
    assert Document.objects.get().uploaded_by == intake_officer


def test_a_partner_cannot_upload(client_for, partner_a):
    case = new_case()
    response = _post(client_for(partner_a), case, "scan.pdf", pdf())
    assert response.status_code in {403, 404}
    assert not Document.objects.exists()


def test_clean_name_keeps_only_the_last_part_of_a_path():
    from haven.cases.document_files import clean_name

    name, notices = clean_name("C:\\Users\\x\\..\\scan\u202egpj.exe")
    assert name == "scangpj.exe"
    assert len(notices) == 2
