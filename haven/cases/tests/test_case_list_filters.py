"""The case list's filters, sorting, ageing against the pathway's target, saved searches."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from haven.accounts.models import Organization, Team, User
from haven.cases.models import Case, SavedSearch
from haven.referrals.models import Referral, Service
from haven.triage import library, services
from haven.triage.models import GuidanceVersion

from .factories import make_request

pytestmark = pytest.mark.django_db
LIST = reverse("cases:list")


def _case(name: str, **values: object) -> Case:
    created = make_request(given_name=name, father_name=f"{name} Father")
    Case.objects.filter(case_requests__request=created.request).update(**values)
    return Case.objects.get(case_requests__request=created.request)


@pytest.fixture
def targets(db: None) -> None:
    """us-afghan-2021@2 active (its targets: siv_apply 14 days, p2 21), set directly: the
    cases' pathways are set by each test."""
    version = services.guidance_store(pack=library.find("us-afghan-2021@2"), actor=None)
    GuidanceVersion.objects.filter(pk=version.pk).update(status=GuidanceVersion.Status.ACTIVE)


def test_ageing_is_shown_against_the_pathways_target_and_overdue_filters(
    client_for, caseworker, targets
):
    with time_machine.travel(dt.datetime(2021, 8, 1, 9, tzinfo=dt.UTC)):
        _case("Ahmad", pathway="siv_apply")
        _case("Bashir", pathway="p2")
    with time_machine.travel(dt.datetime(2021, 8, 18, 12, tzinfo=dt.UTC)):
        client = client_for(caseworker)
        page = client.get(LIST)
        # 17 days: over siv_apply's 14, under p2's 21.
        ages = re.findall(r"(\d+ of \d+)</span>", page.text)
        assert sorted(ages) == ["17 of 14", "17 of 21"], ages
        assert page.text.count('data-overdue="1"') == 1
        overdue = client.get(LIST, {"overdue": "on"}).text
        assert "Ahmad" in overdue and "Bashir" not in overdue
    with time_machine.travel(dt.datetime(2021, 8, 25, 9, tzinfo=dt.UTC)):
        overdue = client_for(caseworker).get(LIST, {"overdue": "on"}).text
        assert "Ahmad" in overdue and "Bashir" in overdue


def test_it_filters_by_pathway_priority_assignee_team_and_open_referral(
    client_for, caseworker, supervisor, partner_org_a
):
    team = Team.objects.create(name="P2 desk", kind="pathway", values=["p2"])
    _case("Daud", pathway="p2", priority=10, team=team)
    _case("Farid", pathway="siv_apply", priority=70, assignee=caseworker)
    referred = _case("Habib", pathway="refer_unhcr", priority=40)
    client = client_for(caseworker)

    def names(**filters: object) -> set[str]:
        text = client.get(LIST, filters).text
        return {n for n in ("Daud", "Farid", "Habib") if n in text}

    assert names(pathway="p2") == {"Daud"}
    assert names(priority_min=20, priority_max=50) == {"Habib"}
    assert names(assignee="me") == {"Farid"}
    assert names(assignee="none") == {"Daud", "Habib"}
    assert names(assigned_team=team.pk) == {"Daud"}
    assert names(assigned_team="none") == {"Farid", "Habib"}
    assert names(open_referral="on") == set()
    _refer(referred, supervisor, partner_org_a)
    assert names(open_referral="on") == {"Habib"}


def _refer(case: Case, actor: User, partner: Organization) -> None:
    """A referral with the partner (sent), straight into the table: what is tested is the
    list's filter, not the referral's workflow (haven/referrals/tests)."""
    service = Service.objects.create(organization=partner, kind="protection", name="Protection")
    Referral.objects.create(
        case=case, organization=partner, service=service, status="sent", created_by=actor
    )


def test_bad_filters_get_a_message_and_the_others_still_apply(client_for, caseworker):
    _case("Jawad", priority=5)
    _case("Kabir", priority=90)
    response = client_for(caseworker).get(
        LIST,
        {"priority_min": "50", "priority_max": "ten", "pathway": "nonsense", "sort": "bogus"},
    )
    assert response.status_code == 200
    assert "Some filters could not be used" in response.text
    assert "Enter a whole number." in response.text
    assert "That sort order is not known" in response.text
    assert "Kabir" in response.text and "Jawad" not in response.text
    swapped = client_for(caseworker).get(LIST, {"priority_min": "50", "priority_max": "10"})
    assert "must not be below" in swapped.text


def test_columns_sort_both_ways(client_for, caseworker):
    _case("Latif", priority=1)
    _case("Nabi", priority=9)
    client = client_for(caseworker)
    up = client.get(LIST, {"sort": "priority"}).text
    down = client.get(LIST, {"sort": "-priority"}).text
    assert up.index("Latif") < up.index("Nabi")
    assert down.index("Nabi") < down.index("Latif")
    assert 'aria-sort="descending"' in down


def test_saved_searches_are_saved_named_opened_and_deleted_per_user(
    client_for, caseworker, supervisor
):
    _case("Rahim", priority=80)
    _case("Sharif", priority=2)
    client = client_for(caseworker)
    saved = client.post(
        reverse("cases:saved_search_create"), {"name": "Urgent ones", "back": "priority_min=50"}
    )
    assert saved.status_code == 302
    mine = SavedSearch.objects.get(owner=caseworker)
    assert "priority_min" not in saved["Location"]  # opened by its id
    shown = client.get(saved["Location"]).text
    assert "Urgent ones" in shown and "Rahim" in shown and "Sharif" not in shown
    # A search by name is kept encrypted, and the name is nobody else's business.
    again = client.post(
        reverse("cases:saved_search_create"), {"name": "urgent ONES", "back": "status=new"}
    )
    assert again.status_code == 400 and "already have a saved search" in again.text
    other = client_for(supervisor)
    assert "Urgent ones" not in other.get(LIST).text
    assert other.get(LIST, {"saved": mine.pk}).status_code == 404
    assert other.post(reverse("cases:saved_search_delete", args=[mine.pk])).status_code == 404
    assert client.post(reverse("cases:saved_search_delete", args=[mine.pk])).status_code == 302
    assert not SavedSearch.objects.exists()


def test_a_searched_term_is_saved_encrypted_never_in_the_address(client_for, caseworker):
    _case("Zabihullah")
    client = client_for(caseworker)
    found = client.post(LIST, {"q": "Zabihullah"})
    back = found["Location"].split("?", 1)[1]
    saved = client.post(reverse("cases:saved_search_create"), {"name": "Z", "back": back})
    assert saved.status_code == 302 and "Zabihullah" not in saved["Location"]
    assert "Zabihullah" in client.get(saved["Location"]).text
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT filters FROM cases_savedsearch")
        (stored,) = cursor.fetchone()
    assert "Zabihullah" not in str(stored)


def test_the_list_reads_in_dari(client_for, caseworker):
    _case("Ahmad")
    page = client_for(caseworker).get(LIST, HTTP_ACCEPT_LANGUAGE="fa-af")
    assert "گرفتن قضیهٔ بعدی" in page.text and "جستجوهای ذخیره‌شده" in page.text
