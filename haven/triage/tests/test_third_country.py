"""`requires_third_country` means "must still leave Afghanistan" (issue 11, item 5)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.template.loader import render_to_string

from haven.accounts.models import User
from haven.cases.models import Case
from haven.cases.panels import case_panels
from haven.triage import library, services
from haven.triage.engine import Engine
from haven.triage.models import GuidanceVersion

from .conftest import AFGHAN_IN_KABUL

P2_WITH_REFERRAL: dict[str, Any] = {
    **AFGHAN_IN_KABUL,
    "employer_type": "us_funded_program",
    "employment_months": 20,
    "referral_source": "us_government_agency",
}


@pytest.mark.parametrize("version", ["1", "2"])
@pytest.mark.parametrize("country", ["PK", "IR", "US"])
def test_someone_who_has_left_afghanistan_needs_no_third_country(version: str, country: str):
    engine = Engine(library.find(f"us-afghan-2021@{version}"))
    for facts in (
        {**P2_WITH_REFERRAL, "current_country": country},
        {**AFGHAN_IN_KABUL, "current_country": country, "referral_source": "unhcr"},
        {**AFGHAN_IN_KABUL, "current_country": country, "vulnerabilities": ["imminent_threat"]},
    ):
        decision = engine.decide(facts, language="en")
        assert decision.pathway in {"p2", "p1", "humanitarian_parole"}
        assert decision.requires_third_country is False


@pytest.mark.parametrize("country", ["AF", None])
def test_someone_in_afghanistan_or_whose_whereabouts_are_unknown_must_still_leave(country):
    engine = Engine(library.find("us-afghan-2021@2"))
    decision = engine.decide({**P2_WITH_REFERRAL, "current_country": country}, language="en")
    assert decision.pathway == "p2"
    assert decision.requires_third_country is True
    assert decision.facts_used["current_country"] == country


def test_the_next_action_of_version_2_never_says_to_reach_a_third_country():
    engine = Engine(library.find("us-afghan-2021@2"))
    decision = engine.decide({**P2_WITH_REFERRAL, "current_country": "PK"}, language="en")
    assert decision.next_action == "Complete the P-2 referral package."
    assert "third country" not in decision.next_action


@pytest.fixture
def guidance_2(guidance_dir: Any, supervisor: User, django_capture_on_commit_callbacks: Any):
    version = services.guidance_store(pack=library.find("us-afghan-2021@2"), actor=None)
    with django_capture_on_commit_callbacks(execute=True):
        services.guidance_activate(version=version, actor=supervisor)
    return version


@pytest.mark.django_db
@pytest.mark.usefixtures("only_triage_panel")
def test_the_case_panel_tells_only_those_still_in_afghanistan_to_reach_a_third_country(
    guidance_2: GuidanceVersion, make_case: Callable[..., Case], caseworker: User
):
    in_pakistan = make_case({**P2_WITH_REFERRAL, "current_country": "PK"})
    in_kabul = make_case(dict(P2_WITH_REFERRAL))
    html = {}
    for case in (in_pakistan, in_kabul):
        services.case_retriage(case=case, actor=None)
        [panel] = case_panels(case=case, user=caseworker)
        html[case.pk] = render_to_string(panel.template, panel.context)
    assert "P-2 referral package" in html[in_pakistan.pk]
    assert "third country" not in html[in_pakistan.pk]
    assert "Requires a third country" in html[in_kabul.pk]
    assert "first reach a third country" not in html[in_kabul.pk]  # said once, by the flag
