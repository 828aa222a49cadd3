"""A caseworker corrects a case's facts: audited, stored, and the case re-triaged."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from haven.accounts.models import User
from haven.audit.models import AuditEvent
from haven.cases.models import Case, CaseEvent
from haven.triage.models import CaseFacts, GuidanceVersion, TriageDecision

from .conftest import AFGHAN_IN_KABUL

pytestmark = pytest.mark.django_db


def form_data(facts: dict[str, Any], note: str = "Saw the contract") -> dict[str, Any]:
    data: dict[str, Any] = {"note": note}
    for name, value in facts.items():
        if isinstance(value, bool):
            data[name] = "true" if value else "false"
        elif isinstance(value, list):
            data[name] = value or ["none"]
        else:
            data[name] = value
    return data


def test_a_caseworker_corrects_facts_and_the_case_is_retriaged(
    active_guidance: GuidanceVersion,
    make_case: Callable[..., Case],
    caseworker: User,
    client_for: Callable[[User], Client],
) -> None:
    case = make_case(dict(AFGHAN_IN_KABUL))
    corrected = {**AFGHAN_IN_KABUL, "employer_type": "us_government", "employment_months": 12}
    response = client_for(caseworker).post(f"/triage/cases/{case.pk}/", form_data(corrected))
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.pathway == "siv_apply"
    assert CaseFacts.objects.get(case=case).facts["employment_months"] == 12
    decision = TriageDecision.objects.filter(case=case).latest("id")
    assert (decision.reason, decision.actor, decision.rule) == (
        "correction",
        caseworker,
        "siv_apply",
    )
    audit = AuditEvent.objects.get(object_type="triage.casefacts")
    assert audit.actor == caseworker
    assert audit.details["changes"] == {
        "employer_type": ["none", "us_government"],
        "employment_months": [0, 12],
    }
    assert audit.details["note"] == "Saw the contract"
    assert CaseEvent.objects.filter(case=case, kind="triaged").exists()


def test_blank_makes_a_fact_unknown_and_the_decision_asks_for_it(
    active_guidance: GuidanceVersion,
    make_case: Callable[..., Case],
    caseworker: User,
    client_for: Callable[[User], Client],
) -> None:
    case = make_case(dict(AFGHAN_IN_KABUL))
    data = form_data(AFGHAN_IN_KABUL)
    data["nationality"] = ""
    client_for(caseworker).post(f"/triage/cases/{case.pk}/", data)
    assert "nationality" not in CaseFacts.objects.get(case=case).facts
    decision = TriageDecision.objects.filter(case=case).latest("id")
    assert decision.pathway == "needs_information"
    assert "nationality" in decision.evidence_missing


def test_a_wrong_value_is_refused_and_nothing_is_stored(
    active_guidance: GuidanceVersion,
    make_case: Callable[..., Case],
    caseworker: User,
    client_for: Callable[[User], Client],
) -> None:
    case = make_case(dict(AFGHAN_IN_KABUL))
    data = form_data({**AFGHAN_IN_KABUL, "nationality": "A1", "employment_months": 30})
    response = client_for(caseworker).post(f"/triage/cases/{case.pk}/", data)
    assert response.status_code == 400
    assert "ISO 3166 alpha-2" in response.content.decode()
    assert CaseFacts.objects.get(case=case).facts == AFGHAN_IN_KABUL
    assert not AuditEvent.objects.filter(object_type="triage.casefacts").exists()


def test_an_intake_officer_may_not_correct_facts(
    active_guidance: GuidanceVersion,
    make_case: Callable[..., Case],
    intake_officer: User,
    client_for: Callable[[User], Client],
) -> None:
    case = make_case(dict(AFGHAN_IN_KABUL))
    client = client_for(intake_officer)
    page = client.get(f"/triage/cases/{case.pk}/")
    assert page.status_code == 200
    assert "Correct the facts" not in page.content.decode()
    response = client.post(
        f"/triage/cases/{case.pk}/", form_data({**AFGHAN_IN_KABUL, "is_us_citizen": True})
    )
    assert response.status_code == 403
    assert CaseFacts.objects.get(case=case).facts["is_us_citizen"] is False


def test_partners_and_outsiders_see_no_triage(
    make_case: Callable[..., Case],
    partner_a: User,
    outsider: User,
    client_for: Callable[[User], Client],
) -> None:
    case = make_case(dict(AFGHAN_IN_KABUL))
    for user in (partner_a, outsider):
        assert client_for(user).get(f"/triage/cases/{case.pk}/").status_code == 403
