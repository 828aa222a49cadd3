"""The data-entry queue: a request nobody could read, entered by hand, runs the pipeline."""

from __future__ import annotations

import pytest
from django.urls import reverse

from haven.audit.models import AuditEvent
from haven.cases.models import Case, CaseEvent, CaseMember
from haven.intake.models import PersonRecord, Request
from haven.intake.services import RequestInput, request_create
from haven.resolution.models import PersonLink

from .factories import make_request

pytestmark = pytest.mark.django_db

MAIL = "From: sponsor@example.org\nSubject: help\n\nMy brother Gul Ahmad needs help, passport P7654321."


def _unreadable(raw: str = MAIL) -> Request:
    created = request_create(
        data=RequestInput(channel="email", people=()),
        raw_input=raw,
        raw_content_type="message/rfc822",
    )
    assert created.request.needs_data_entry
    return created.request


def _form(**values) -> dict[str, str]:
    data = {
        "principal-given_name": "Gul Ahmad",
        "principal-father_name": "Sher",
        "principal-date_of_birth": "1990",
        "principal-passport": "P7654321",
        "request-requester_kind": "sponsor",
        "members-TOTAL_FORMS": "1",
        "members-INITIAL_FORMS": "0",
        "members-0-relationship": "spouse",
        "members-0-given_name": "Shabana",
    }
    data.update(values)
    return data


def test_the_queue_lists_requests_that_need_data_entry(client_for, intake_officer):
    waiting = _unreadable()
    make_request(given_name="Readable")
    page = client_for(intake_officer).get(reverse("cases:data_entry"))
    assert page.status_code == 200
    assert waiting.receipt_number in page.text
    assert page.text.count(reverse("cases:data_entry_complete", args=[waiting.pk])) == 1
    assert "?data_entry=on" in page.text  # the case list's filter for the same cases
    assert AuditEvent.objects.filter(summary="Data-entry queue").exists()


def test_the_queue_costs_the_same_queries_however_many_wait(
    client_for, intake_officer, django_assert_max_num_queries
):
    for _ in range(3):
        _unreadable()
    client = client_for(intake_officer)
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("cases:data_entry"))
    for _ in range(6):
        _unreadable()
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("cases:data_entry"))
    assert page.text.count("Enter</a>") == 9


def test_the_original_is_shown_beside_the_form_and_the_read_is_audited(client_for, intake_officer):
    waiting = _unreadable()
    page = client_for(intake_officer).get(reverse("cases:data_entry_complete", args=[waiting.pk]))
    assert page.status_code == 200
    assert "My brother Gul Ahmad needs help" in page.text
    assert 'name="principal-given_name"' in page.text
    assert AuditEvent.objects.filter(
        action="view", object_type="intake.request", object_id=str(waiting.pk)
    ).exists()


def test_a_spreadsheet_row_is_shown_as_its_cells(client_for, caseworker):
    waiting = request_create(
        data=RequestInput(channel="spreadsheet", people=()),
        raw_input='{"Name": "", "Notes": "family of five, father Sher"}',
    ).request
    page = client_for(caseworker).get(reverse("cases:data_entry_complete", args=[waiting.pk]))
    assert "family of five, father Sher" in page.text
    assert '<dt><bdi dir="auto">Notes</bdi></dt>' in page.text


def test_completing_it_runs_the_pipeline_and_empties_the_queue(client_for, intake_officer):
    waiting = _unreadable()
    case = Case.objects.get(case_requests__request=waiting)
    assert not CaseMember.objects.filter(case=case).exists()
    client = client_for(intake_officer)
    response = client.post(reverse("cases:data_entry_complete", args=[waiting.pk]), _form())
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert not waiting.needs_data_entry
    assert waiting.raw_input == MAIL  # the original stays as received
    records = list(PersonRecord.objects.filter(request=waiting).order_by("position"))
    assert [r.given_name for r in records] == ["Gul Ahmad", "Shabana"]
    assert PersonLink.objects.filter(person_record__in=records, ended_at__isnull=True).count() == 2
    case.refresh_from_db()
    assert case.members.count() == 2
    assert case.display_name == "Gul Ahmad"
    assert case.principal_id is not None
    assert CaseEvent.objects.filter(case=case, kind="data_entered").exists()
    assert AuditEvent.objects.filter(
        action="update", object_type="intake.request", object_id=str(waiting.pk)
    ).exists()
    queue = client.get(reverse("cases:data_entry"))
    assert reverse("cases:data_entry_complete", args=[waiting.pk]) not in queue.text
    again = client.get(reverse("cases:data_entry_complete", args=[waiting.pk]))
    assert again.status_code == 404


def test_the_entered_person_is_matched_to_someone_known(client_for, caseworker):
    known = make_request(
        given_name="Gul Ahmad", father_name="Sher", identifiers=(("passport", "P7654321"),)
    )
    known_record = PersonRecord.objects.get(request=known.request, position=0)
    known_person = PersonLink.objects.get(person_record=known_record).person_id
    waiting = _unreadable()
    client_for(caseworker).post(
        reverse("cases:data_entry_complete", args=[waiting.pk]),
        _form(**{"principal-date_of_birth": "1985", "members-TOTAL_FORMS": "0"}),
    )
    entered = PersonRecord.objects.get(request=waiting)
    assert PersonLink.objects.get(person_record=entered).person_id == known_person


def test_a_form_without_a_name_is_refused_and_nothing_is_lost(client_for, intake_officer):
    waiting = _unreadable()
    response = client_for(intake_officer).post(
        reverse("cases:data_entry_complete", args=[waiting.pk]),
        _form(**{"principal-given_name": "", "principal-father_name": ""}),
    )
    assert response.status_code == 400
    assert "Give at least one name" in response.text
    assert 'value="P7654321"' in response.text
    assert 'value="Shabana"' in response.text
    waiting.refresh_from_db()
    assert waiting.needs_data_entry
    assert not PersonRecord.objects.filter(request=waiting).exists()


@pytest.mark.parametrize("persona", ["partner_a", "outsider"])
def test_partners_and_outsiders_get_a_404(request, client_for, persona):
    waiting = _unreadable()
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("cases:data_entry")).status_code == 404
    page = client.get(reverse("cases:data_entry_complete", args=[waiting.pk]))
    assert page.status_code == 404
    assert "My brother" not in page.text
    assert (
        client.post(reverse("cases:data_entry_complete", args=[waiting.pk]), _form()).status_code
        == 404
    )
    waiting.refresh_from_db()
    assert waiting.needs_data_entry


def test_a_request_still_waiting_for_the_worker_is_refused_with_a_message(
    client_for, intake_officer
):
    pending = request_create(
        data=RequestInput(channel="spreadsheet", people=()),
        raw_input='{"Name": ""}',
        run_pipeline=False,
    ).request
    assert pending.needs_data_entry and pending.pipeline_pending
    response = client_for(intake_officer).post(
        reverse("cases:data_entry_complete", args=[pending.pk]), _form()
    )
    assert response.status_code == 400
    assert "still being processed" in response.text
    assert 'value="Gul Ahmad"' in response.text
    pending.refresh_from_db()
    assert pending.needs_data_entry
    assert not PersonRecord.objects.filter(request=pending).exists()
