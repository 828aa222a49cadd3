"""The partner workspace: log-in lands there, only this organisation's referrals, audited."""

from __future__ import annotations

import pytest
from django.urls import reverse

from haven.audit.models import AuditEvent
from haven.conftest import PASSWORD
from haven.referrals.models import Referral
from haven.referrals.services import referrals_overdue_flag

from .factories import make_case
from .helpers import send

pytestmark = pytest.mark.django_db
WORKSPACE = reverse("referrals:workspace")


def test_a_partner_logging_in_lands_in_the_workspace(client, client_for, partner_a):
    response = client.post(
        reverse("accounts:login"), {"username": "partner_a", "password": PASSWORD}
    )
    # Past the password (and, with two-factor enforced, the second factor), the workspace.
    assert WORKSPACE in response["Location"]
    verified = client_for(partner_a)
    assert verified.get("/")["Location"] == WORKSPACE
    page = verified.get(WORKSPACE)
    assert page.status_code == 200
    assert "Referrals to UNHCR Pakistan" in page.text


def test_task_force_staff_and_outsiders_have_no_workspace(client_for, caseworker, outsider):
    assert client_for(caseworker).get(WORKSPACE).status_code == 403
    assert client_for(outsider).get(WORKSPACE).status_code == 403


def test_partner_staff_still_see_no_cases(client_for, partner_a, consented_case):
    client = client_for(partner_a)
    assert client.get(reverse("cases:list")).status_code == 403
    assert client.get(reverse("cases:detail", args=[consented_case.pk])).status_code == 403


def test_the_list_shows_only_this_organisations_referrals_and_is_audited(
    client_for, caseworker, partner_a, partner_org_a, partner_org_b, service_a, service_b
):
    ours = send(
        make_case(consent_version="web-2021-08-v1", given_name="Ahmad"),
        caseworker,
        partner_org_a,
        service_a,
    )
    send(
        make_case(consent_version="web-2021-08-v1", given_name="Zabihullah"),
        caseworker,
        partner_org_b,
        service_b,
    )

    page = client_for(partner_a).get(WORKSPACE)

    assert ours.reference in page.text and "Ahmad" in page.text
    assert "Zabihullah" not in page.text
    event = AuditEvent.objects.filter(actor=partner_a, action="view").latest("id")
    assert event.details["referrals"] == [ours.pk]


def test_filters_by_status_service_and_overdue(
    client_for, caseworker, partner_a, partner_org_a, service_a
):
    from .factories import partner_directory

    legal = partner_directory(partner_org_a, kind="legal_aid")
    first = send(
        make_case(consent_version="web-2021-08-v1", given_name="Ahmad"),
        caseworker,
        partner_org_a,
        service_a,
    )
    second = send(
        make_case(consent_version="web-2021-08-v1", given_name="Karim"),
        caseworker,
        partner_org_a,
        legal,
    )
    Referral.objects.filter(pk=first.pk).update(acknowledge_due="2020-01-01T00:00:00Z")
    referrals_overdue_flag()
    client = client_for(partner_a)

    assert second.reference not in client.get(WORKSPACE, {"service": service_a.pk}).text
    overdue = client.get(WORKSPACE, {"overdue": "on"}).text
    assert first.reference in overdue and second.reference not in overdue
    assert first.reference not in client.get(WORKSPACE, {"status": "accepted"}).text


def test_the_list_takes_a_fixed_number_of_queries(
    client_for, caseworker, partner_a, partner_org_a, service_a, django_assert_max_num_queries
):
    for name in ("Ahmad", "Karim", "Noor", "Gul"):
        send(
            make_case(consent_version="web-2021-08-v1", given_name=name),
            caseworker,
            partner_org_a,
            service_a,
        )
    client = client_for(partner_a)
    client.get(WORKSPACE)  # session and caches warm
    # Session, user, two-factor device, the page, its count, services, the audit event (two
    # statements on PostgreSQL, whose audit rows are hash-chained): not one per referral.
    with django_assert_max_num_queries(10):
        response = client.get(WORKSPACE)
    assert response.text.count("R-000") == 4


def test_every_detail_read_is_audited(
    client_for, caseworker, partner_a, partner_org_a, service_a, consented_case
):
    referral = send(consented_case, caseworker, partner_org_a, service_a)
    client_for(partner_a).get(reverse("referrals:workspace_detail", args=[referral.pk]))
    event = AuditEvent.objects.filter(actor=partner_a, object_id=str(referral.pk)).latest("id")
    assert event.action == "view" and event.details["through"] == "workspace"


def test_the_workspace_shows_no_other_part_of_the_case(
    client_for, caseworker, partner_a, partner_org_a, service_a, consented_case
):
    from haven.cases.services import note_create

    note_create(
        case=consented_case, author=caseworker, body="Internal: father of the principal is in Kabul"
    )
    referral = send(consented_case, caseworker, partner_org_a, service_a)
    page = client_for(partner_a).get(reverse("referrals:workspace_detail", args=[referral.pk])).text
    assert "Internal" not in page
    assert consented_case.reference not in page
    assert "PAK" not in page  # no identifiers in this agreement
