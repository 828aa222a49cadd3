"""The triage panel on the case page."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from haven.accounts.models import User
from haven.cases.models import Case
from haven.cases.panels import case_panels
from haven.triage import services
from haven.triage.models import GuidanceVersion

from .conftest import AFGHAN_IN_KABUL

pytestmark = pytest.mark.django_db


@pytest.mark.usefixtures("only_triage_panel")
def test_the_panel_shows_the_decision_and_its_priority_breakdown(
    active_guidance: GuidanceVersion, make_case: Callable[..., Case], caseworker: User
) -> None:
    case = make_case(
        {**AFGHAN_IN_KABUL, "referral_source": "unhcr", "vulnerabilities": ["disability"]}
    )
    services.case_retriage(case=case, actor=None)
    [panel] = case_panels(case=case, user=caseworker)
    html = render_to_string(panel.template, panel.context)
    assert "P-1 referral" in html
    assert "Requires a third country" in html
    assert "Copy or reference of the UNHCR, embassy or designated-NGO referral" in html
    assert "How the priority is made up" in html
    assert "us-afghan-2021@1" in html
    assert "Correct the facts" in html


@pytest.mark.usefixtures("only_triage_panel")
def test_partners_get_no_panel(make_case: Callable[..., Case], partner_a: User) -> None:
    assert case_panels(case=make_case({}), user=partner_a) == []


@pytest.mark.usefixtures("only_triage_panel")
def test_without_guidance_the_panel_says_so(
    make_case: Callable[..., Case], caseworker: User
) -> None:
    [panel] = case_panels(case=make_case({}), user=caseworker)
    assert "No guidance is active" in render_to_string(panel.template, panel.context)


def test_the_case_page_shows_the_decision(
    active_guidance: GuidanceVersion,
    make_case: Callable[..., Case],
    caseworker: User,
    client_for: Callable[[User], Client],
) -> None:
    case = make_case({**AFGHAN_IN_KABUL, "referral_source": "unhcr"})
    services.case_retriage(case=case, actor=None)
    response = client_for(caseworker).get(reverse("cases:detail", args=[case.pk]))
    assert response.status_code == 200
    assert "P-1 referral" in response.text
    assert "No guidance is active" not in response.text
