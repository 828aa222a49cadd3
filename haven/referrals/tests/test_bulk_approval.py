"""Bulk referrals above HAVEN_REFERRAL_BULK_APPROVAL_ABOVE wait for a supervisor other than
the one who asked (with referral_bulk in HAVEN_SECOND_APPROVER_FOR); smaller ones go at once."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from haven.accounts.models import Approval, Organization, Role, User
from haven.audit.models import AuditEvent
from haven.referrals.models import BulkReferral, Referral

from . import test_bulk

queue = test_bulk.queue  # the fixture, shared

pytestmark = pytest.mark.django_db
FORM = {"pathway": "refer_unhcr", "urgency": "routine", "reason": "Protection"}


@pytest.fixture
def second_supervisor(task_force: Organization) -> User:
    return User.objects.create_user(
        username="supervisor2", password="x" * 16, role=Role.SUPERVISOR, organization=task_force
    )


def test_above_the_threshold_the_queue_waits_for_a_supervisor(
    client_for,
    caseworker,
    supervisor,
    queue,
    service_a,
    settings,
):
    settings.HAVEN_SECOND_APPROVER_FOR = ["referral_bulk"]
    settings.HAVEN_REFERRAL_BULK_APPROVAL_ABOVE = 2
    client = client_for(caseworker)
    form = {**FORM, "service": service_a.pk}
    preview = client.get(reverse("referrals:bulk"), form)
    assert "must approve them before anything is sent" in preview.text
    asked = client.post(reverse("referrals:bulk"), form, follow=True)
    assert "3 referrals need a second approver" in asked.text
    assert not BulkReferral.objects.exists() and Referral.objects.count() == 1
    approval = Approval.objects.get()
    assert sorted(approval.params["case_ids"]) == sorted(
        c.pk for group in queue.values() for c in group if c.pathway == "refer_unhcr"
    )
    decide = reverse("accounts:approval_decide", args=[approval.pk])
    # A caseworker may ask, not approve; the one who asked never approves.
    client.post(decide, {"decision": "approve"})
    approval.refresh_from_db()
    assert approval.status == Approval.Status.PENDING
    client_for(supervisor).post(decide, {"decision": "approve", "note": "checked"})
    approval.refresh_from_db()
    assert approval.status == Approval.Status.EXECUTED, approval.result
    bulk = BulkReferral.objects.get()
    assert bulk.sent == 3 and bulk.created_by == supervisor
    assert AuditEvent.objects.filter(details__approval="referral_bulk").count() == 2


def test_at_or_below_the_threshold_it_sends_at_once(
    client_for,
    caseworker,
    queue,
    service_a,
    settings,
):
    settings.HAVEN_SECOND_APPROVER_FOR = ["referral_bulk"]
    settings.HAVEN_REFERRAL_BULK_APPROVAL_ABOVE = 3
    client_for(caseworker).post(reverse("referrals:bulk"), {**FORM, "service": service_a.pk})
    assert BulkReferral.objects.get().sent == 3
    assert not Approval.objects.exists()


def test_a_rejected_bulk_referral_sends_nothing(
    client_for,
    caseworker,
    supervisor,
    queue,
    service_a,
    settings,
):
    settings.HAVEN_SECOND_APPROVER_FOR = ["referral_bulk"]
    settings.HAVEN_REFERRAL_BULK_APPROVAL_ABOVE = 1
    client_for(caseworker).post(reverse("referrals:bulk"), {**FORM, "service": service_a.pk})
    approval = Approval.objects.get()
    client_for(supervisor).post(
        reverse("accounts:approval_decide", args=[approval.pk]), {"decision": "reject"}
    )
    approval.refresh_from_db()
    assert approval.status == Approval.Status.REJECTED
    assert not BulkReferral.objects.exists()


def test_the_cli_asks_for_approval_above_the_threshold(queue, caseworker, settings):
    settings.HAVEN_SECOND_APPROVER_FOR = ["referral_bulk"]
    settings.HAVEN_REFERRAL_BULK_APPROVAL_ABOVE = 2
    out = io.StringIO()
    call_command(
        "referral", "send", "--queue", "refer_unhcr", "--to", "UNHCR Pakistan",
        "--service", "protection", "--as", "caseworker", "--json", stdout=out,
    )  # fmt: skip
    lines = out.getvalue().strip().splitlines()
    assert json.loads(lines[-1])["sent"] == 0
    assert "wait for a second approver" in out.getvalue()
    assert Approval.objects.get().action == "referral_bulk"
    assert not BulkReferral.objects.exists()
