"""Facts that stick (issue 11, item 3): each fact has a source and a precedence; a later
request never silently overwrites what the case knows."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from haven.accounts.models import User
from haven.audit.models import AuditEvent
from haven.cases.models import Case, CaseEvent
from haven.intake.models import Channel
from haven.intake.services import CreatedRequest, PersonInput, RequestInput, request_create
from haven.triage.models import CaseFacts, FactReview, GuidanceVersion, TriageDecision

from .test_facts_correction import form_data

pytestmark = pytest.mark.django_db

PASSPORT = (("passport", "P01234567"),)
PRINCIPAL = PersonInput(
    given_name="Mohammad Zaman",
    father_name="Gul Ahmad",
    family_name="Ahmadzai",
    date_of_birth="1985",
    identifiers=PASSPORT,
)
FAMILY = (
    PRINCIPAL,
    PersonInput(relationship="spouse", given_name="Fatima", date_of_birth="1990"),
    PersonInput(relationship="child", given_name="Zabihullah", date_of_birth="2012"),
    PersonInput(relationship="child", given_name="Mariam", date_of_birth="2015"),
)


def submit(
    people: tuple[PersonInput, ...],
    *,
    channel: str = Channel.WALK_IN,
    country: str = "",
    facts: dict[str, Any] | None = None,
) -> CreatedRequest:
    raw = json.dumps({"facts": facts} if facts else {"note": "as written"})
    return request_create(
        data=RequestInput(channel=channel, people=people, current_country=country),
        raw_input=raw,
    )


def case_of(created: CreatedRequest) -> Case:
    return Case.objects.get(case_requests__request=created.request)


def facts_row(case: Case) -> CaseFacts:
    return CaseFacts.objects.get(case=case)


def test_a_one_person_spreadsheet_row_does_not_set_a_family_of_four_to_no_dependants(
    active_guidance: GuidanceVersion,
):
    family = submit(FAMILY, country="PK")
    case = case_of(family)
    assert facts_row(case).facts["dependants"] == 3
    assert facts_row(case).sources["dependants"] == {"source": "derived"}

    row = submit((PRINCIPAL,), channel=Channel.SPREADSHEET, country="PK")

    assert case_of(row) == case
    assert facts_row(case).facts["dependants"] == 3
    assert not FactReview.objects.exists()


def test_a_new_household_member_raises_the_dependants(active_guidance: GuidanceVersion):
    case = case_of(submit(FAMILY[:2]))
    assert facts_row(case).facts["dependants"] == 1
    submit((PRINCIPAL, FAMILY[2]), channel=Channel.EMAIL)
    assert facts_row(case).facts["dependants"] == 2
    assert TriageDecision.objects.filter(case=case).latest("id").facts_used["dependants"] == 2


def test_a_follow_up_walk_in_does_not_override_a_caseworkers_correction(
    active_guidance: GuidanceVersion, caseworker: User, client_for: Callable[[User], Client]
):
    first = submit(FAMILY, country="AF", facts={"nationality": "AF"})
    case = case_of(first)
    client = client_for(caseworker)
    corrected = {**facts_row(case).facts, "current_country": "PK"}
    response = client.post(f"/triage/cases/{case.pk}/", form_data(corrected, "Phoned: Peshawar"))
    assert response.status_code == 302
    assert facts_row(case).sources["current_country"]["source"] == "caseworker"
    decisions = TriageDecision.objects.filter(case=case).count()

    follow_up = submit((PRINCIPAL,), country="AF")

    assert case_of(follow_up) == case
    row = facts_row(case)
    assert row.facts["current_country"] == "PK"
    assert row.sources["current_country"]["source"] == "caseworker"
    assert TriageDecision.objects.filter(case=case).count() == decisions  # not re-triaged
    review = FactReview.objects.get()
    assert (review.case, review.fact, review.old_value, review.new_value) == (
        case,
        "current_country",
        "PK",
        "AF",
    )
    assert (review.request, review.status, review.old_source) == (
        follow_up.request,
        "open",
        "caseworker",
    )
    event = CaseEvent.objects.get(case=case, kind="new_information")
    assert follow_up.request.receipt_number in event.description
    assert "the case has PK (set by a caseworker)" in event.description

    page = client.get(f"/cases/{case.pk}/").text
    assert 'data-testid="new-information"' in page
    assert follow_up.request.receipt_number in page
    assert f'data-review="{review.pk}"' in page
    assert "Accept and re-triage" in page


def test_the_same_new_information_is_recorded_once(active_guidance: GuidanceVersion):
    case = case_of(submit(FAMILY, country="AF"))
    submit((PRINCIPAL,), country="PK")
    submit((PRINCIPAL,), country="PK", channel=Channel.EMAIL)
    assert FactReview.objects.filter(case=case).count() == 1
    assert facts_row(case).facts["current_country"] == "AF"


def test_a_fact_the_case_did_not_know_is_simply_taken(active_guidance: GuidanceVersion):
    case = case_of(submit(FAMILY))
    assert "current_country" not in facts_row(case).facts
    follow_up = submit((PRINCIPAL,), country="IR", facts={"employer_type": "us_based_ngo"})
    row = facts_row(case)
    assert row.facts["current_country"] == "IR"
    assert row.facts["employer_type"] == "us_based_ngo"
    assert row.sources["current_country"] == {"source": "request", "request": follow_up.request.pk}
    assert not FactReview.objects.exists()
    assert TriageDecision.objects.filter(case=case).latest("id").facts_used["current_country"] == (
        "IR"
    )


@pytest.fixture
def review(active_guidance: GuidanceVersion) -> FactReview:
    submit(FAMILY, country="AF")
    submit((PRINCIPAL,), country="PK")
    return FactReview.objects.get()


def decide(client: Client, review: FactReview, decision: str) -> Any:
    return client.post(
        f"/triage/cases/{review.case_id}/new-information/{review.pk}/", {"decision": decision}
    )


def test_accepting_new_information_applies_it_audited_and_retriages(
    review: FactReview, caseworker: User, client_for: Callable[[User], Client]
):
    case = review.case
    client = client_for(caseworker)
    response = decide(client, review, "accept")
    assert response.status_code == 302
    row = facts_row(case)
    assert row.facts["current_country"] == "PK"
    assert row.sources["current_country"]["source"] == "caseworker"
    assert row.sources["current_country"]["review"] == review.pk
    review.refresh_from_db()
    assert (review.status, review.decided_by) == ("accepted", caseworker)
    assert review.decided_at is not None
    decision = TriageDecision.objects.filter(case=case).latest("id")
    assert (decision.reason, decision.actor) == ("correction", caseworker)
    assert decision.facts_used["current_country"] == "PK"
    audit = AuditEvent.objects.filter(object_type="triage.casefacts").latest("id")
    assert audit.details["changes"] == {"current_country": ["AF", "PK"]}
    assert audit.summary == "Accepted new information"
    event = CaseEvent.objects.filter(case=case, kind="facts_changed").latest("id")
    assert event.description.startswith("Accepted new information: ")
    assert "AF → PK" in event.description
    assert 'data-testid="new-information"' not in client.get(f"/cases/{case.pk}/").text
    # Decided once: a second click is refused with a message.
    response = decide(client, review, "dismiss")
    assert "already accepted" in client.get(response.url).text


def test_dismissing_new_information_keeps_the_fact(
    review: FactReview, caseworker: User, client_for: Callable[[User], Client]
):
    decisions = TriageDecision.objects.filter(case=review.case).count()
    assert decide(client_for(caseworker), review, "dismiss").status_code == 302
    review.refresh_from_db()
    assert review.status == "dismissed"
    assert facts_row(review.case).facts["current_country"] == "AF"
    assert TriageDecision.objects.filter(case=review.case).count() == decisions
    assert AuditEvent.objects.filter(object_type="triage.factreview", action="update").exists()
    assert CaseEvent.objects.filter(case=review.case, kind="facts_changed").exists()


def test_an_intake_officer_may_not_decide_new_information(
    review: FactReview, intake_officer: User, client_for: Callable[[User], Client]
):
    assert decide(client_for(intake_officer), review, "accept").status_code == 403
    review.refresh_from_db()
    assert review.status == "open"


def test_the_facts_panel_says_where_each_fact_came_from(
    review: FactReview, caseworker: User, client_for: Callable[[User], Client]
):
    page = client_for(caseworker).get(f"/cases/{review.case_id}/").text
    first = review.case.case_requests.order_by("id").first()
    assert first is not None
    assert f"(from request {first.request.receipt_number})" in page
    assert "(worked out by Haven)" in page


def test_new_information_of_another_case_is_404(
    review: FactReview, caseworker: User, client_for: Callable[[User], Client]
):
    other = Case.objects.create(display_name="Other")
    response = client_for(caseworker).post(
        f"/triage/cases/{other.pk}/new-information/{review.pk}/", {"decision": "accept"}
    )
    assert response.status_code == 404
    review.refresh_from_db()
    assert review.status == "open"
