"""Every referral and message figure on the dashboard links to the staff list of exactly the
rows it counts (issue 17): each link is followed and the rows compared with an independent
query."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from haven.communications.models import Message
from haven.communications.tests.test_staff_messages import message
from haven.referrals.bulk import referrals_send_many
from haven.referrals.models import Referral, ReferralStatus
from haven.referrals.tests.factories import make_case, partner_directory

pytestmark = pytest.mark.django_db
URL = reverse("reports:dashboard")


@pytest.fixture
def referrals(supervisor, partner_org_a, partner_org_b) -> None:
    service_a = partner_directory(partner_org_a)
    service_b = partner_directory(partner_org_b, kind="legal_aid")
    cases = [make_case(consent_version="2021-08") for _ in range(4)]
    for org, service, chosen in (
        (partner_org_a, service_a, cases),
        (partner_org_b, service_b, cases[:2]),
    ):
        referrals_send_many(
            case_ids=[c.pk for c in chosen],
            organization=org,
            service=service,
            actor=supervisor,
            reason="Protection assessment",
        )
    to_a = list(Referral.objects.filter(organization=partner_org_a).order_by("pk"))
    Referral.objects.filter(pk__in=[to_a[0].pk, to_a[1].pk]).update(overdue=True)
    Referral.objects.filter(pk=to_a[1].pk).update(status=ReferralStatus.ACKNOWLEDGED)
    # Sent before the dashboard's period: counted by neither the figure nor its list.
    Referral.objects.filter(pk=to_a[3].pk).update(sent_at=timezone.now() - dt.timedelta(days=60))


def _list_ids(client, url: str) -> list[int]:
    response = client.get(url)
    assert response.status_code == 200
    page = response.context["page"]
    assert page.paginator.num_pages == 1
    return sorted(row.pk for row, _case in response.context["rows"])


def test_each_referral_figure_opens_the_referrals_it_counts(
    client_for, supervisor, referrals, partner_org_a, partner_org_b
) -> None:
    client = client_for(supervisor)
    table = client.get(URL).context["board"].table("referrals_per_partner")
    since = timezone.localdate() - dt.timedelta(days=29)
    followed = 0
    for org in (partner_org_a, partner_org_b):
        row = next(r for r in table.rows if r.key == org.name)
        for key, cell in zip(table.column_keys, row.cells, strict=True):
            assert cell.url, (org.name, key)
            in_period = Referral.objects.filter(organization=org, sent_at__date__gte=since)
            expected = (
                in_period.filter(overdue=True) if key == "overdue" else in_period.filter(status=key)
            )
            ids = _list_ids(client, cell.url)
            assert ids == sorted(expected.values_list("pk", flat=True))
            assert len(ids) == cell.value
            followed += bool(cell.value)
    assert followed >= 4  # sent to A and B, acknowledged and overdue at A
    assert table.value(partner_org_a.name, "overdue") == 2
    assert table.value(partner_org_a.name, "sent") == 2  # the fourth was sent 60 days ago


def test_each_message_figure_opens_the_messages_it_counts(client_for, supervisor) -> None:
    for channel, status in (
        ("sms", "sent"),
        ("sms", "failed"),
        ("sms", "failed"),
        ("email", "sent"),
    ):
        message(channel=channel, status=status)
    message(channel="email", status="failed", days_ago=45)  # before the period
    client = client_for(supervisor)
    table = client.get(URL).context["board"].table("messages_per_channel")
    since = timezone.localdate() - dt.timedelta(days=29)
    for row in table.rows:
        for status, cell in zip(table.column_keys, row.cells, strict=True):
            expected = Message.objects.filter(
                channel=row.key, status=status, created_at__date__gte=since
            )
            ids = _list_ids(client, cell.url)
            assert ids == sorted(expected.values_list("pk", flat=True)) and len(ids) == cell.value
    assert table.value("sms", "failed") == 2 and table.value("email", "failed") == 0


def test_an_administrator_sees_the_figures_without_links_to_lists_it_may_not_open(
    client_for, admin_user, referrals
) -> None:
    board = client_for(admin_user).get(URL).context["board"]
    for key in ("referrals_per_partner", "messages_per_channel"):
        table = board.table(key)
        assert all(not cell.url for row in table.rows for cell in row.cells)
    assert board.table("referrals_per_partner").total() > 0
