"""Referrals per partner and messages per channel on the dashboard (issue 17): the figures
equal counts made independently here."""

from __future__ import annotations

import pytest
from django.urls import reverse

from haven.communications.models import Message
from haven.referrals.bulk import referrals_send_many
from haven.referrals.models import Referral, ReferralStatus
from haven.referrals.tests.factories import make_case, partner_directory

pytestmark = pytest.mark.django_db
URL = reverse("reports:dashboard")


def test_referrals_per_partner_equal_independent_counts(
    client_for, supervisor, partner_org_a, partner_org_b
) -> None:
    service_a = partner_directory(partner_org_a)
    service_b = partner_directory(partner_org_b)
    cases = [make_case(consent_version="2021-08") for _ in range(3)]
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
    late = Referral.objects.filter(organization=partner_org_a).order_by("pk")[:1]
    Referral.objects.filter(pk__in=list(late.values_list("pk", flat=True))).update(overdue=True)

    board = client_for(supervisor).get(URL).context["board"]
    table = board.table("referrals_per_partner")
    for org in (partner_org_a, partner_org_b):
        sent = Referral.objects.filter(organization=org, status=ReferralStatus.SENT).count()
        assert table.value(org.name, "sent") == sent
        assert table.value(org.name, "overdue") == (
            Referral.objects.filter(organization=org, overdue=True).count()
        )
    assert table.value(partner_org_a.name, "sent") == 3
    assert table.value(partner_org_b.name, "sent") == 1
    assert table.value(partner_org_a.name, "overdue") == 1


def test_messages_per_channel_equal_independent_counts(client_for, supervisor) -> None:
    make_case()
    board = client_for(supervisor).get(URL).context["board"]
    table = board.table("messages_per_channel")
    for channel in {m.channel for m in Message.objects.all()}:
        for status in table.column_keys:  # the statuses the table shows
            expected = Message.objects.filter(channel=channel, status=status).count()
            assert table.value(channel, status) == expected
    assert table.total() == Message.objects.count()


def test_partner_figures_are_for_supervisors_only(client_for, caseworker, supervisor) -> None:
    keys = {t.key for t in client_for(caseworker).get(URL).context["board"].tables}
    assert "referrals_per_partner" not in keys
    keys = {t.key for t in client_for(supervisor).get(URL).context["board"].tables}
    assert {"referrals_per_partner", "messages_per_channel"} <= keys
