"""A request's public status follows its case (issue 11, item 1): through /status/, the
partner API's list, and the database."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from haven.cases import services
from haven.cases.models import Case, CaseEvent
from haven.cases.public_status import public_status_sync
from haven.cases.signals import public_status_changed_many
from haven.intake.models import Request
from haven.intake.services import CreatedRequest, PersonInput
from haven.intake.tasks import pipeline_drain
from haven.intake.tests.api_helpers import example_body, get, issue_token, post
from haven.triage import library
from haven.triage import services as triage_services

from .factories import make_request

pytestmark = pytest.mark.django_db
PASSPORT = (("passport", "P01234567"),)


@pytest.fixture(autouse=True)
def _clear_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def guidance(supervisor, django_capture_on_commit_callbacks):
    version = triage_services.guidance_store(pack=library.find("us-afghan-2021@2"), actor=None)
    with django_capture_on_commit_callbacks(execute=True):
        triage_services.guidance_activate(version=version, actor=supervisor)
    return version


@pytest.fixture
def signals():
    sent: list[dict[str, Any]] = []

    def receiver(sender: Any, **kwargs: Any) -> None:
        sent.append({**kwargs, "in_transaction": connection.in_atomic_block})

    public_status_changed_many.connect(receiver, weak=False)
    yield sent
    public_status_changed_many.disconnect(receiver)


def status_page(created: CreatedRequest) -> str:
    response = Client().post(
        "/status/",
        {"receipt_number": created.request.receipt_number, "secret": created.status_secret},
        REMOTE_ADDR="203.0.113.9",
    )
    assert response.status_code == 200
    return str(response.text)


def shown_status(created: CreatedRequest) -> str:
    found = re.search(r'data-testid="status">\s*([^<]+?)\s*<', status_page(created))
    assert found is not None
    return found.group(1)


def case_of(created: CreatedRequest) -> Case:
    return Case.objects.get(case_requests__request=created.request, merged_into__isnull=True)


def change_status(client: Client, case: Case, status: str, outcome: str = "") -> Any:
    return client.post(
        reverse("cases:status_change", args=[case.pk]), {"status": status, "outcome": outcome}
    )


def test_the_status_page_follows_the_case_from_received_to_closed(client_for, caseworker):
    created = make_request(given_name="Mohammad Zaman", identifiers=PASSPORT)
    case = case_of(created)
    client = client_for(caseworker)
    assert shown_status(created) == "Received"

    change_status(client, case, "in_review")
    assert shown_status(created) == "Under review"
    change_status(client, case, "awaiting_information")
    assert shown_status(created) == "Under review"
    services.case_status_change(case=case, actor=caseworker, status=Case.Status.REFERRED)
    assert shown_status(created) == "Referred to a partner"

    response = change_status(client, case, "closed", "not_eligible")
    assert response.status_code == 302
    page = status_page(created)
    assert re.search(r'data-testid="status">\s*Closed\s*<', page)
    assert re.search(r'data-testid="outcome">\s*Not eligible under current guidance\s*<', page)
    request = Request.objects.get(pk=created.request.pk)
    assert (request.status, request.outcome) == ("closed", "not_eligible")
    case.refresh_from_db()
    assert case.closure_outcome == "not_eligible"
    event = CaseEvent.objects.filter(case=case, kind="status_changed").first()
    assert event is not None
    assert event.description == "Referred → Closed (Not eligible under current guidance)"

    change_status(client, case, "in_review")  # reopened: the outcome goes
    request.refresh_from_db()
    assert (request.status, request.outcome) == ("under_review", "")
    assert 'data-testid="outcome"' not in status_page(created)


def test_closing_needs_an_outcome_and_keeps_what_was_chosen(client_for, caseworker):
    created = make_request()
    case = case_of(created)
    response = change_status(client_for(caseworker), case, "closed")
    assert response.status_code == 400
    assert "Choose the outcome: the requester is told it." in response.text
    case.refresh_from_db()
    assert case.status == Case.Status.NEW
    assert Request.objects.get(pk=created.request.pk).status == "received"


def test_the_partner_api_list_shows_the_derived_status(partner_org_a, caseworker):
    token = issue_token(partner_org_a)
    assert post(token, example_body()).status_code == 201
    assert pipeline_drain.call() == 1
    request = Request.objects.get()
    case = Case.objects.get(case_requests__request=request)
    assert get(token).json()["results"][0]["status"] == "received"

    services.case_status_change(case=case, actor=caseworker, status=Case.Status.IN_REVIEW)
    assert get(token).json()["results"][0]["status"] == "under_review"
    services.case_status_change(case=case, actor=caseworker, status=Case.Status.REFERRED)
    assert get(token).json()["results"][0]["status"] == "referred"
    assert get(token).json()["results"][0]["outcome"] == ""
    services.case_status_change(
        case=case, actor=caseworker, status=Case.Status.CLOSED, outcome="assisted"
    )
    listed = get(token).json()["results"][0]
    assert (listed["status"], listed["outcome"]) == ("closed", "assisted")


def test_a_case_triaged_at_intake_is_under_review_at_once(guidance):
    created = make_request(given_name="Hamida")
    assert case_of(created).pathway
    assert Request.objects.get(pk=created.request.pk).status == "under_review"
    assert shown_status(created) == "Under review"


def test_activating_guidance_puts_untriaged_requests_under_review(
    supervisor, django_capture_on_commit_callbacks
):
    created = make_request(given_name="Hamida")
    assert Request.objects.get(pk=created.request.pk).status == "received"
    version = triage_services.guidance_store(pack=library.find("us-afghan-2021@2"), actor=None)
    with django_capture_on_commit_callbacks(execute=True):
        triage_services.guidance_activate(version=version, actor=supervisor)
    assert Request.objects.get(pk=created.request.pk).status == "under_review"


def test_a_request_joining_a_case_takes_its_status(caseworker):
    first = make_request(given_name="Mohammad Zaman", identifiers=PASSPORT)
    case = case_of(first)
    services.case_status_change(case=case, actor=caseworker, status=Case.Status.REFERRED)
    second = make_request(given_name="Muhammad Zaman", identifiers=PASSPORT, channel="email")
    assert case_of(second) == case
    assert Request.objects.get(pk=second.request.pk).status == "referred"
    assert shown_status(second) == "Referred to a partner"


def test_a_merged_duplicate_follows_the_case_it_was_merged_into(client_for, supervisor):
    source_request = make_request(given_name="Hamida", father_name="Abdul Rahman")
    target_request = make_request(given_name="Zarghona", father_name="Noor Agha")
    source, target = case_of(source_request), case_of(target_request)
    services.case_status_change(case=target, actor=supervisor, status=Case.Status.IN_REVIEW)
    assert shown_status(source_request) == "Received"

    services.case_merge(source=source, target=target, actor=supervisor, reason="Same family")

    source.refresh_from_db()
    assert (source.status, source.closure_outcome) == ("closed", "duplicate")
    assert Request.objects.get(pk=source_request.request.pk).status == "under_review"
    assert shown_status(source_request) == "Under review"
    services.case_status_change(
        case=target, actor=supervisor, status=Case.Status.CLOSED, outcome="assisted"
    )
    for created in (source_request, target_request):
        request = Request.objects.get(pk=created.request.pk)
        assert (request.status, request.outcome) == ("closed", "assisted")


def test_the_signal_names_each_change_inside_the_transaction(caseworker, signals):
    first = make_request(given_name="Mohammad Zaman", identifiers=PASSPORT)
    second = make_request(given_name="Muhammad Zaman", identifiers=PASSPORT, channel="email")
    case = case_of(first)
    signals.clear()
    services.case_status_change(case=case, actor=caseworker, status=Case.Status.IN_REVIEW)
    [sent] = signals
    assert sent["actor"] == caseworker
    assert sent["in_transaction"] is True
    assert sorted((c, r.pk, old, new) for c, r, old, new in sent["changes"]) == [
        (case, first.request.pk, "received", "under_review"),
        (case, second.request.pk, "received", "under_review"),
    ]
    services.case_status_change(case=case, actor=caseworker, status=Case.Status.IN_REVIEW)
    services.case_status_change(
        case=case, actor=caseworker, status=Case.Status.AWAITING_INFORMATION
    )
    assert len(signals) == 1  # no public change, no signal


def test_it_writes_only_the_rows_that_changed(caseworker):
    created = make_request()
    case = case_of(created)
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        assert public_status_sync(case=case, actor=None) == []
    assert not [q for q in queries if "UPDATE" in q["sql"].upper()]
    Case.objects.filter(pk=case.pk).update(status=Case.Status.IN_REVIEW)
    case.refresh_from_db()
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        [(request, old, new)] = public_status_sync(case=case, actor=None)
    updates = [q["sql"] for q in queries if "UPDATE" in q["sql"].upper()]
    assert len(updates) == 1
    assert '"status"' in updates[0]
    assert (request.pk, old, new) == (created.request.pk, "received", "under_review")


def _batch(count: int, offset: int) -> list[Any]:
    from haven.intake.services import NewRequest, RequestInput

    return [
        NewRequest(
            data=RequestInput(
                channel="walk_in",
                people=(
                    PersonInput(
                        given_name=f"Person{offset + i}",
                        father_name=f"Father{offset + i}",
                        date_of_birth="1980",
                        identifiers=(("passport", f"P9{offset + i:07d}"),),
                    ),
                ),
            ),
            raw_input="{}",
        )
        for i in range(count)
    ]


def test_the_intake_step_costs_the_same_statements_whatever_the_batch(guidance):
    from haven.cases.public_status import requests_public_status_sync
    from haven.intake.services import requests_create_many

    counts = []
    for size, offset in ((3, 0), (12, 100)):
        created = requests_create_many(entries=_batch(size, offset), run_pipeline=True)
        requests = [c.request for c in created]
        Request.objects.filter(pk__in=[r.pk for r in requests]).update(status="received")
        cases = [case_of_request(r) for r in requests]
        with CaptureQueriesContext(connection) as queries, transaction.atomic():
            requests_public_status_sync(cases=cases, actor=None)
        counts.append(len(queries))
        assert set(
            Request.objects.filter(pk__in=[r.pk for r in requests]).values_list("status", flat=True)
        ) == {"under_review"}
    assert counts[0] == counts[1]


def case_of_request(request: Request) -> Case:
    return Case.objects.get(case_requests__request=request)


def test_the_outcome_is_shown_in_the_requesters_language(caseworker):
    created = make_request()
    services.case_status_change(
        case=case_of(created), actor=caseworker, status=Case.Status.CLOSED, outcome="unreachable"
    )
    page = (
        Client()
        .post(
            "/status/",
            {"receipt_number": created.request.receipt_number, "secret": created.status_secret},
            REMOTE_ADDR="203.0.113.10",
            headers={"accept-language": "fa-af"},
        )
        .text
    )
    assert re.search(r'data-testid="outcome">\s*تماس ممکن نشد\s*<', page)
    assert "کارگروه با معلومات تماس داده‌شده نتوانست با شما تماس بگیرد." in page
