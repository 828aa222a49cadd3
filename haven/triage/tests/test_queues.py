"""Work queues per pathway, most urgent first, with ageing against the pack's targets."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.test import Client

from haven.accounts.models import User
from haven.cases.models import Case
from haven.triage import services
from haven.triage.models import GuidanceVersion

from .conftest import AFGHAN_IN_KABUL

pytestmark = pytest.mark.django_db

START = dt.datetime(2021, 8, 20, 9, 0, tzinfo=dt.UTC)


def opened(make_case: Callable[..., Case], when: dt.datetime, facts: dict[str, Any]) -> Case:
    with time_machine.travel(when, tick=False):
        case = make_case(facts)
        services.case_retriage(case=case, actor=None)
    return case


def test_a_queue_lists_urgent_cases_first_and_flags_overdue_ones(
    active_guidance: GuidanceVersion,
    make_case: Callable[..., Case],
    caseworker: User,
    client_for: Callable[[User], Client],
) -> None:
    old = opened(make_case, START, AFGHAN_IN_KABUL)
    urgent = opened(
        make_case,
        START + dt.timedelta(days=10),
        {**AFGHAN_IN_KABUL, "vulnerabilities": ["woman_at_risk"], "dependants": 3},
    )
    opened(make_case, START, {**AFGHAN_IN_KABUL, "is_us_citizen": True})
    with time_machine.travel(START + dt.timedelta(days=20), tick=False):
        client = client_for(caseworker)
        summary = client.get("/triage/queues/").content.decode()
        page = client.get("/triage/queues/refer_unhcr/").content.decode()
    assert "Protection referral to UNHCR or a partner" in summary
    # refer_unhcr target is 14 days: the 20-day-old case is over it, the 10-day-old is not.
    assert page.index(urgent.reference) < page.index(old.reference)
    rows = {
        ref: page[page.index(ref) :].split("</tr>")[0] for ref in (old.reference, urgent.reference)
    }
    assert "20 <strong>over target</strong>" in rows[old.reference]
    assert "over target" not in rows[urgent.reference]


def test_queues_are_for_the_task_force_only(
    partner_a: User, client_for: Callable[[User], Client]
) -> None:
    assert client_for(partner_a).get("/triage/queues/").status_code == 403
    assert client_for(partner_a).get("/triage/queues/p1/").status_code == 403


def test_an_unknown_pathway_has_no_queue(
    caseworker: User, client_for: Callable[[User], Client]
) -> None:
    assert client_for(caseworker).get("/triage/queues/p3/").status_code == 404
