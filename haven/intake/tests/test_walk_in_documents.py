"""Documents brought to the walk-in desk: kept on the new case; a bad file loses nothing else."""

from __future__ import annotations

import pytest

from haven.cases.models import Case, Document
from haven.cases.tests.document_helpers import (
    EXE,
    jpeg_with_gps,
    pdf,
    upload,
)
from haven.intake.models import Request

from .test_walk_in import URL, walk_in_post

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _documents_in_tmp(settings, tmp_path):
    settings.HAVEN_DOCUMENT_ROOT = tmp_path / "documents"


def _documents(**files):
    return {
        "documents-kind_1": "passport",
        "documents-kind_2": "recommendation_letter",
        "documents-kind_3": "other",
        **files,
    }


def test_the_walk_in_form_offers_document_uploads(client_for, intake_officer):
    page = client_for(intake_officer).get(URL).text
    assert 'enctype="multipart/form-data"' in page
    assert 'name="documents-file_1"' in page and 'name="documents-kind_3"' in page


def test_documents_brought_to_the_desk_join_the_new_case(client_for, intake_officer):
    client = client_for(intake_officer)
    data = walk_in_post() | _documents(
        **{
            "documents-file_1": upload("passport.jpg", jpeg_with_gps()),
            "documents-file_2": upload("letter.pdf", pdf(), "application/pdf"),
        }
    )
    response = client.post(URL, data)
    assert response.status_code == 302
    request = Request.objects.get()
    case = Case.objects.get(case_requests__request=request)
    documents = {d.kind: d for d in Document.objects.filter(case=case)}
    assert set(documents) == {"passport", "recommendation_letter"}
    assert all(d.source == Document.Source.WALK_IN for d in documents.values())
    assert all(d.request == request and d.uploaded_by == intake_officer for d in documents.values())
    receipt = client.get(response["Location"]).text
    assert "2 documents kept on case" in receipt


def test_a_program_among_the_files_keeps_everything_typed(client_for, intake_officer):
    client = client_for(intake_officer)
    data = walk_in_post() | _documents(
        **{
            "documents-file_1": upload("tazkira.jpg", EXE),
            "documents-file_2": upload("letter.pdf", pdf(), "application/pdf"),
        }
    )
    response = client.post(URL, data)
    assert response.status_code == 400
    page = response.text
    assert "a Windows program" in page
    assert "Mohammad Zaman" in page and "Islamabad" in page and "Fatima" in page
    assert "Choose the files again" in page
    assert not Request.objects.exists() and not Document.objects.exists()


def test_a_walk_in_without_documents_still_works(client_for, intake_officer):
    response = client_for(intake_officer).post(URL, walk_in_post() | _documents())
    assert response.status_code == 302
    assert Request.objects.count() == 1 and not Document.objects.exists()
