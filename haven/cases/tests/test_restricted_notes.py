"""Restricted notes: caseworkers and supervisors read them, intake officers do not, partners
see no note at all; the history does not quote them."""

from __future__ import annotations

import pytest

from haven.cases.models import Case, Note

from .factories import make_request

pytestmark = pytest.mark.django_db

SECRET = "The family fear the neighbour who reported them"
PLAIN = "Documents checked at the desk"


def _case_with_notes(client_for, caseworker) -> Case:
    case = make_request(given_name="Farida").request.case_links.get().case
    client = client_for(caseworker)
    assert (
        client.post(f"/cases/{case.pk}/notes/", {"body": SECRET, "restricted": "on"}).status_code
        == 302
    )
    assert client.post(f"/cases/{case.pk}/notes/", {"body": PLAIN}).status_code == 302
    return case


def test_a_note_is_stored_restricted(client_for, caseworker):
    case = _case_with_notes(client_for, caseworker)
    assert Note.objects.get(case=case, restricted=True).body == SECRET
    assert Note.objects.get(case=case, restricted=False).body == PLAIN


@pytest.mark.parametrize("role", ["caseworker", "supervisor"])
def test_caseworkers_and_supervisors_read_restricted_notes(client_for, caseworker, role, request):
    case = _case_with_notes(client_for, caseworker)
    page = client_for(request.getfixturevalue(role)).get(f"/cases/{case.pk}/").content.decode()
    assert SECRET in page and PLAIN in page


def test_an_intake_officer_cannot_read_a_restricted_note(client_for, caseworker, intake_officer):
    case = _case_with_notes(client_for, caseworker)
    response = client_for(intake_officer).get(f"/cases/{case.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert PLAIN in page
    assert SECRET not in page
    # Nor its first words in the history.
    assert "The family fear" not in page
    assert "A restricted note" in page


def test_a_partner_sees_no_note(client_for, caseworker, partner_a):
    case = _case_with_notes(client_for, caseworker)
    response = client_for(partner_a).get(f"/cases/{case.pk}/")
    assert response.status_code == 403
    body = response.content.decode()
    assert SECRET not in body and PLAIN not in body


def test_an_intake_officer_cannot_write_notes(client_for, intake_officer):
    case = make_request(given_name="Farida").request.case_links.get().case
    response = client_for(intake_officer).post(
        f"/cases/{case.pk}/notes/", {"body": "x", "restricted": "on"}
    )
    assert response.status_code == 403
    assert not Note.objects.exists()
