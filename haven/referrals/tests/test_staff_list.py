"""The task force's referral list (the rows behind the dashboard's referral figures): who may
open it, its filters, its page size and query count, and the audit of each page read."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from haven.audit.models import AuditEvent
from haven.referrals.bulk import referrals_send_many
from haven.referrals.models import Referral, ReferralStatus

from .factories import make_case, partner_directory

pytestmark = pytest.mark.django_db
URL = reverse("referrals:staff_list")
CONSENTED = "web-2021-08-v1"


@pytest.fixture
def referrals(supervisor, partner_org_a, partner_org_b) -> dict[str, list[Referral]]:
    """Three referrals to A (one overdue, one accepted), one to B's legal aid."""
    service_a = partner_directory(partner_org_a)
    service_b = partner_directory(partner_org_b, kind="legal_aid")
    cases = [make_case(consent_version=CONSENTED, given_name=f"Ahmad {i}") for i in range(3)]
    referrals_send_many(
        case_ids=[c.pk for c in cases],
        organization=partner_org_a,
        service=service_a,
        actor=supervisor,
        reason="Protection assessment",
    )
    referrals_send_many(
        case_ids=[cases[0].pk],
        organization=partner_org_b,
        service=service_b,
        actor=supervisor,
        reason="Legal aid",
    )
    to_a = list(Referral.objects.filter(organization=partner_org_a).order_by("pk"))
    Referral.objects.filter(pk=to_a[0].pk).update(overdue=True)
    Referral.objects.filter(pk=to_a[1].pk).update(status=ReferralStatus.ACCEPTED)
    return {"a": to_a, "b": list(Referral.objects.filter(organization=partner_org_b))}


def _ids(response) -> list[int]:
    return [r.pk for r, _case in response.context["rows"]]


def test_caseworkers_and_supervisors_may_open_it(client_for, caseworker, supervisor) -> None:
    assert client_for(caseworker).get(URL).status_code == 200
    assert client_for(supervisor).get(URL).status_code == 200


@pytest.mark.parametrize("persona", ["partner_a", "intake_officer", "admin_user", "outsider"])
def test_it_refuses_everyone_else(client_for, persona, request) -> None:
    user = request.getfixturevalue(persona)
    assert client_for(user).get(URL).status_code == 403


def test_it_filters_by_partner_status_service_and_overdue(
    client_for, caseworker, referrals, partner_org_a, partner_org_b
) -> None:
    client = client_for(caseworker)
    a, b = referrals["a"], referrals["b"]
    assert sorted(_ids(client.get(URL, {"partner": partner_org_a.pk}))) == [r.pk for r in a]
    assert _ids(client.get(URL, {"partner": partner_org_b.pk})) == [b[0].pk]
    assert _ids(client.get(URL, {"status": "accepted"})) == [a[1].pk]
    assert _ids(client.get(URL, {"overdue": "1"})) == [a[0].pk]
    assert _ids(client.get(URL, {"service": b[0].service_id})) == [b[0].pk]
    both = client.get(URL, {"partner": partner_org_a.pk, "status": "sent"})
    assert sorted(_ids(both)) == [a[0].pk, a[2].pk]


def test_it_filters_by_the_day_sent(client_for, caseworker, referrals) -> None:
    a = referrals["a"]
    Referral.objects.filter(pk=a[2].pk).update(sent_at=timezone.now() - dt.timedelta(days=40))
    today = timezone.localdate()
    client = client_for(caseworker)
    recent = client.get(URL, {"sent_from": today - dt.timedelta(days=29), "sent_to": today})
    assert a[2].pk not in _ids(recent) and len(_ids(recent)) == 3
    old = client.get(URL, {"sent_to": today - dt.timedelta(days=30)})
    assert _ids(old) == [a[2].pk]


def test_it_shows_references_and_no_names(client_for, caseworker, referrals) -> None:
    page = client_for(caseworker).get(URL).text
    for referral in referrals["a"]:
        assert referral.reference in page and referral.case.reference in page
    assert "Ahmad" not in page and "Ahmadzai" not in page
    assert "Protection assessment" not in page  # the reason is not listed


def test_a_filter_it_cannot_use_is_named_and_the_others_apply(
    client_for, caseworker, referrals, partner_org_b
) -> None:
    response = client_for(caseworker).get(
        URL, {"partner": partner_org_b.pk, "status": "lost", "sent_from": "not a date"}
    )
    assert response.status_code == 200
    assert "could not be used" in response.text
    assert _ids(response) == [referrals["b"][0].pk]


def test_each_page_read_is_audited_with_the_ids_it_showed(
    client_for, supervisor, referrals, partner_org_a
) -> None:
    client_for(supervisor).get(URL, {"partner": partner_org_a.pk, "overdue": "1"})
    event = AuditEvent.objects.filter(actor=supervisor, summary="Referral list").latest("id")
    assert event.action == "view"
    assert event.details["referrals"] == [referrals["a"][0].pk]
    assert event.details["partner"] == partner_org_a.pk and event.details["overdue"] is True


def test_it_is_paginated_with_a_pinned_query_count(
    client_for, supervisor, partner_org_a, django_assert_num_queries
) -> None:
    service = partner_directory(partner_org_a)
    cases = [make_case(consent_version=CONSENTED) for _ in range(30)]
    referrals_send_many(
        case_ids=[c.pk for c in cases],
        organization=partner_org_a,
        service=service,
        actor=supervisor,
        reason="Protection assessment",
    )
    client = client_for(supervisor)
    client.get(URL)  # the session's first read (2FA state) is not the list's
    # PostgreSQL takes the audit chain's lock in one statement more.
    with django_assert_num_queries(9 if connection.vendor == "postgresql" else 8):
        first = client.get(URL)
    assert len(first.context["rows"]) == 25 and first.context["page"].paginator.count == 30
    second = client.get(URL, {"page": 2})
    assert len(second.context["rows"]) == 5
    assert not set(_ids(first)) & set(_ids(second))
