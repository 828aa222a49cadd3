"""An e-mail's attachments become documents of its case once they pass the same checks."""

from __future__ import annotations

import pytest
from django.urls import reverse

from haven.cases.models import Case, CaseEvent, Document
from haven.common.tests.fake_clamd import EICAR
from haven.intake.models import Request
from haven.intake.tests.test_mail_import import message, run

from .document_helpers import (
    EXE,
    jpeg_with_gps,
    pdf,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("document_root")]


def _import(tmp_path, *attachments):
    path = tmp_path / "m.eml"
    path.write_bytes(
        message(
            "Mohammad Zaman Ahmadzai 12/04/1988",
            "Please help my family.",
            attachments=attachments,
        ).as_bytes()
    )
    run(path)
    request = Request.objects.get()
    return Case.objects.get(case_requests__request=request)


def test_attachments_that_pass_become_documents_and_others_are_named(
    tmp_path, client_for, caseworker
):
    case = _import(
        tmp_path,
        ("passport.jpg", "image/jpeg", jpeg_with_gps()),
        ("letter.pdf", "application/pdf", pdf()),
        ("photo.jpg", "image/jpeg", EXE),
    )
    documents = list(Document.objects.filter(case=case).order_by("id"))
    assert [d.original_name for d in documents] == ["passport.jpg", "letter.pdf"]
    assert all(d.source == Document.Source.EMAIL and d.uploaded_by is None for d in documents)
    assert all(d.scan_status == Document.Scan.NOT_SCANNED for d in documents)
    refused = CaseEvent.objects.get(
        case=case, description__isnull=False, data__isnull=True, kind=CaseEvent.Kind.DOCUMENT_ADDED
    )
    assert "a Windows program" in refused.description
    page = client_for(caseworker).get(reverse("cases:detail", args=[case.pk])).text
    assert "E-mail attachment" in page and "letter.pdf" in page


def test_attachments_are_scanned_after_the_import_commits(
    tmp_path, clamd, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = _import(
            tmp_path,
            ("letter.pdf", "application/pdf", pdf()),
            ("note.txt", "text/plain", EICAR),
        )
        # Inside the import's transaction they wait, quarantined.
        assert set(Document.objects.values_list("scan_status", flat=True)) == {"pending"}
    statuses = dict(Document.objects.filter(case=case).values_list("original_name", "scan_status"))
    assert statuses == {"letter.pdf": "clean", "note.txt": "infected"}
