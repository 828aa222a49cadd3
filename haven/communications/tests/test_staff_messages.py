"""The task force's message list (the rows behind the dashboard's message figures): who may
open it, its filters, no addresses or texts, a pinned query count, the audit of each page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from haven.audit.models import AuditEvent
from haven.common.crypto import keyed_hash
from haven.communications.models import Message

pytestmark = pytest.mark.django_db
URL = reverse("communications:message_list")


def message(*, channel: str, status: str, purpose: str = "receipt", days_ago: int = 0) -> Message:
    """An outbox row as the outbox leaves it (the list only reads them)."""
    address = "+93700111222" if channel == "sms" else "farida.synthetic@example.org"
    created = Message.objects.create(
        purpose=purpose,
        language="fa-af",
        channel=channel,
        recipient=address,
        recipient_hash=keyed_hash(channel, address),
        subject="Secret subject",
        body="Your receipt number is HV-SECRET",
        status=status,
        not_before=timezone.now(),
        last_error="Provider refused +93700111222" if status == "failed" else "",
    )
    if days_ago:
        Message.objects.filter(pk=created.pk).update(
            created_at=timezone.now() - dt.timedelta(days=days_ago)
        )
    return created


@pytest.fixture
def outbox() -> dict[str, Message]:
    return {
        "sms_sent": message(channel="sms", status="sent"),
        "sms_failed": message(channel="sms", status="failed"),
        "email_sent": message(channel="email", status="sent", purpose="documents_needed"),
        "old": message(channel="email", status="sent", days_ago=45),
    }


def _ids(response) -> list[int]:
    return sorted(m.pk for m, _case in response.context["rows"])


def test_caseworkers_and_supervisors_may_open_it(client_for, caseworker, supervisor) -> None:
    assert client_for(caseworker).get(URL).status_code == 200
    assert client_for(supervisor).get(URL).status_code == 200


@pytest.mark.parametrize("persona", ["partner_a", "intake_officer", "admin_user", "outsider"])
def test_it_refuses_everyone_else(client_for, persona, request) -> None:
    assert client_for(request.getfixturevalue(persona)).get(URL).status_code == 403


def test_it_filters_by_channel_status_purpose_and_day(client_for, supervisor, outbox) -> None:
    client = client_for(supervisor)
    assert _ids(client.get(URL, {"channel": "sms"})) == sorted(
        [outbox["sms_sent"].pk, outbox["sms_failed"].pk]
    )
    assert _ids(client.get(URL, {"status": "failed"})) == [outbox["sms_failed"].pk]
    assert _ids(client.get(URL, {"purpose": "documents_needed"})) == [outbox["email_sent"].pk]
    today = timezone.localdate()
    recent = client.get(
        URL, {"channel": "email", "status": "sent", "created_from": today - dt.timedelta(days=29)}
    )
    assert _ids(recent) == [outbox["email_sent"].pk]
    old = client.get(URL, {"created_to": today - dt.timedelta(days=30)})
    assert _ids(old) == [outbox["old"].pk]


def test_it_shows_no_address_subject_body_or_provider_error(client_for, supervisor, outbox) -> None:
    page = client_for(supervisor).get(URL).text
    for secret in ("+93700111222", "farida.synthetic", "Secret subject", "HV-SECRET", "Provider"):
        assert secret not in page


def test_a_filter_it_cannot_use_is_named_and_the_others_apply(
    client_for, supervisor, outbox
) -> None:
    response = client_for(supervisor).get(URL, {"channel": "pigeon", "status": "failed"})
    assert response.status_code == 200 and "could not be used" in response.text
    assert _ids(response) == [outbox["sms_failed"].pk]


def test_each_page_read_is_audited_with_the_ids_it_showed(client_for, caseworker, outbox) -> None:
    client_for(caseworker).get(URL, {"status": "failed"})
    event = AuditEvent.objects.filter(actor=caseworker, summary="Message list").latest("id")
    assert event.action == "view" and event.details["messages"] == [outbox["sms_failed"].pk]
    assert event.details["status"] == "failed"


def test_it_is_paginated_with_a_pinned_query_count(
    client_for, supervisor, django_assert_num_queries
) -> None:
    for i in range(30):
        message(channel="sms", status="sent" if i % 2 else "failed")
    client = client_for(supervisor)
    client.get(URL)
    # PostgreSQL takes the audit chain's lock in one statement more.
    with django_assert_num_queries(7 if connection.vendor == "postgresql" else 6):
        first = client.get(URL)
    assert len(first.context["rows"]) == 25 and first.context["page"].paginator.count == 30
    assert len(client.get(URL, {"page": 2}).context["rows"]) == 5
