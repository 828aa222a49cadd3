from __future__ import annotations

import pytest
from django.urls import reverse

from haven.accounts.models import Organization
from haven.audit.models import AuditEvent
from haven.cases.models import Case, CaseEvent, Note
from haven.intake.models import Requester
from haven.intake.services import PersonInput, RequesterInput, RequestInput, request_create

from .factories import make_request

pytestmark = pytest.mark.django_db


def _case_for(created) -> Case:
    return Case.objects.get(case_requests__request=created.request)


def test_it_shows_members_requests_provenance_and_identifiers(client_for, caseworker):
    office = Organization.objects.create(name="US Embassy Islamabad", kind="requesting_body")
    created = request_create(
        data=RequestInput(
            channel="email",
            people=(
                PersonInput(
                    given_name="Gul Ahmad",
                    father_name="Din Mohammad",
                    identifiers=(("siv_case", "KBL 0099887"),),
                ),
                PersonInput(relationship="spouse", given_name="Mariam"),
            ),
            requester=RequesterInput(
                kind=Requester.Kind.OFFICE, name="Consular section", organization=office
            ),
        ),
        raw_input="From: consular@example.org",
        raw_content_type="message/rfc822",
    )
    case = _case_for(created)
    response = client_for(caseworker).get(reverse("cases:detail", args=[case.pk]))
    assert response.status_code == 200
    text = response.text
    assert "Gul Ahmad" in text and "Mariam" in text and "Din Mohammad" in text
    assert created.request.receipt_number in text
    assert "US Embassy Islamabad" in text and "Consular section" in text
    assert "KBL0099887" in text
    assert "Case opened" in text


def test_viewing_a_case_is_audited(client_for, intake_officer):
    case = _case_for(make_request())
    client_for(intake_officer).get(reverse("cases:detail", args=[case.pk]), REMOTE_ADDR="10.9.8.7")
    event = AuditEvent.objects.get(action="view", object_type="cases.case")
    assert event.object_id == str(case.pk)
    assert event.actor == intake_officer
    assert event.ip_address == "10.9.8.7"


def test_a_caseworker_adds_a_note_and_it_enters_the_history(client_for, caseworker):
    case = _case_for(make_request())
    client = client_for(caseworker)
    response = client.post(
        reverse("cases:note_add", args=[case.pk]), {"body": "Called the family."}
    )
    assert response.status_code == 302
    note = Note.objects.get()
    assert note.author == caseworker and note.body == "Called the family."
    assert CaseEvent.objects.filter(case=case, kind="note_added").exists()
    assert "Called the family." in client.get(reverse("cases:detail", args=[case.pk])).text


def test_an_empty_note_is_refused_with_a_message(client_for, caseworker):
    case = _case_for(make_request())
    response = client_for(caseworker).post(reverse("cases:note_add", args=[case.pk]), {"body": ""})
    assert response.status_code == 400
    assert "This field is required" in response.text
    assert Note.objects.count() == 0


def test_an_intake_officer_may_read_but_not_write_notes(client_for, intake_officer):
    case = _case_for(make_request())
    response = client_for(intake_officer).post(
        reverse("cases:note_add", args=[case.pk]), {"body": "x"}
    )
    assert response.status_code == 403
    assert Note.objects.count() == 0


def test_a_caseworker_changes_status_and_it_is_audited(client_for, caseworker):
    case = _case_for(make_request())
    client_for(caseworker).post(
        reverse("cases:status_change", args=[case.pk]), {"status": "in_review"}
    )
    case.refresh_from_db()
    assert case.status == "in_review"
    assert CaseEvent.objects.filter(case=case, kind="status_changed").exists()
    assert AuditEvent.objects.filter(action="update", object_type="cases.case").exists()


def test_an_unknown_status_is_refused(client_for, caseworker):
    case = _case_for(make_request())
    response = client_for(caseworker).post(
        reverse("cases:status_change", args=[case.pk]), {"status": "teleported"}
    )
    assert response.status_code == 400
    case.refresh_from_db()
    assert case.status == "new"


def test_an_unknown_case_is_a_404_page(client_for, caseworker):
    response = client_for(caseworker).get(reverse("cases:detail", args=[999999]))
    assert response.status_code == 404
    assert "Not found" in response.text


@pytest.mark.parametrize("persona", ["partner_a", "partner_b", "outsider"])
def test_partners_and_outsiders_cannot_open_a_case(request, client_for, persona):
    case = _case_for(make_request(given_name="Secretname"))
    client = client_for(request.getfixturevalue(persona))
    response = client.get(reverse("cases:detail", args=[case.pk]))
    assert response.status_code in (403, 404)
    assert "Secretname" not in response.text
    post = client.post(reverse("cases:note_add", args=[case.pk]), {"body": "x"})
    assert post.status_code in (403, 404)
    assert Note.objects.count() == 0
