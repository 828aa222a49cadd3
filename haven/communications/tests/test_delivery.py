from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from haven.cases.models import Case
from haven.communications import channels
from haven.communications.channels import HttpResponse, TwilioSmsChannel
from haven.communications.contacts import request_contacts
from haven.communications.inbound import signature
from haven.communications.models import Message
from haven.communications.outbox import outbox_deliver
from haven.communications.services import messages_queue
from haven.intake.models import Request

from .helpers import make_requester

pytestmark = pytest.mark.django_db


class FakeProvider:
    """An injected HTTP client answering as a Twilio-compatible API would."""

    def __init__(self, answers: list[int]) -> None:
        self.answers = answers
        self.calls: list[tuple[str, dict[str, str], dict[str, str]]] = []

    def __call__(self, url, form, headers, timeout) -> HttpResponse:
        self.calls.append((url, form, headers))
        status = self.answers.pop(0) if self.answers else 201
        if status == 201:
            return HttpResponse(
                201, json.dumps({"sid": f"SM{len(self.calls)}", "status": "queued"}).encode()
            )
        if status == 400:
            return HttpResponse(
                400, b'{"code": 21211, "message": "The \'To\' number is not valid."}'
            )
        return HttpResponse(status, b"{}")


@pytest.fixture
def provider(monkeypatch):
    def install(answers: list[int]) -> FakeProvider:
        fake = FakeProvider(answers)
        monkeypatch.setattr(channels, "sms_channel", lambda: TwilioSmsChannel(post=fake))
        return fake

    return install


def _queue_sms(phone: str = "+93 700 111 222") -> Message:
    request = make_requester(phone=phone)
    messages_queue(
        purpose="closed",
        contacts=request_contacts(Request.objects.filter(pk=request.pk)),
        actor=None,
    )
    return Message.objects.get()


def test_twilio_adapter_sends_the_idempotency_key_and_records_the_sid(provider) -> None:
    fake = provider([201])
    message = _queue_sms()
    assert outbox_deliver().sent == 1
    url, form, headers = fake.calls[0]
    assert url.endswith("/2010-04-01/Accounts/ACtest/Messages.json")
    assert form["To"] == "+93700111222" and headers["I-Twilio-Idempotency-Token"] == str(
        message.idempotency_key
    )
    message.refresh_from_db()
    assert (message.status, message.provider_id, message.attempts) == ("sent", "SM1", 1)


def test_provider_errors_are_retried_with_backoff_then_marked_failed_and_shown(
    provider, settings, client_for, caseworker
) -> None:
    settings.HAVEN_OUTBOX_MAX_ATTEMPTS = 3
    settings.HAVEN_OUTBOX_RETRY_BASE_SECONDS = 30
    fake = provider([503, 429, 500])
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        message = _queue_sms()
        assert outbox_deliver().retried == 1
        message.refresh_from_db()
        assert message.status == "queued" and message.not_before == start + dt.timedelta(seconds=30)
        assert outbox_deliver().sent == 0  # not due yet
    with time_machine.travel(start + dt.timedelta(seconds=31), tick=False):
        assert outbox_deliver().retried == 1
        message.refresh_from_db()
        assert message.not_before == start + dt.timedelta(seconds=31 + 60)
    with time_machine.travel(start + dt.timedelta(seconds=100), tick=False):
        assert outbox_deliver().failed == 1
    message.refresh_from_db()
    assert message.status == "failed" and "Gave up after 3 attempts" in message.last_error
    assert len(fake.calls) == 3
    assert len({c[2]["I-Twilio-Idempotency-Token"] for c in fake.calls}) == 1  # one key throughout
    case = Case.objects.get(case_requests__request=message.request)
    page = client_for(caseworker).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Gave up after 3 attempts" in page


def test_an_invalid_number_refused_by_the_provider_fails_at_once(provider) -> None:
    provider([400])
    message = _queue_sms()
    assert outbox_deliver().failed == 1
    message.refresh_from_db()
    assert message.status == "failed" and "21211" in message.last_error


def _signed_post(client, url: str, params: dict[str, str], token: str = "test-auth-token"):  # noqa: S107
    full = "http://testserver" + url
    return client.post(url, params, HTTP_X_TWILIO_SIGNATURE=signature(full, params, token))


def test_the_delivery_webhook_records_the_providers_status(client, provider) -> None:
    provider([201])
    message = _queue_sms()
    outbox_deliver()
    url = reverse("communications:sms_status_webhook")
    response = _signed_post(client, url, {"MessageSid": "SM1", "MessageStatus": "delivered"})
    assert response.status_code == 204
    message.refresh_from_db()
    assert (message.status, message.provider_status) == ("delivered", "delivered")


def test_the_delivery_webhook_refuses_a_bad_signature(client, provider) -> None:
    provider([201])
    message = _queue_sms()
    outbox_deliver()
    url = reverse("communications:sms_status_webhook")
    params = {"MessageSid": "SM1", "MessageStatus": "failed"}
    assert _signed_post(client, url, params, token="wrong").status_code == 403
    assert client.post(url, params).status_code == 403
    message.refresh_from_db()
    assert message.status == "sent"


def test_undelivered_report_marks_the_message_failed(client, provider) -> None:
    provider([201])
    message = _queue_sms()
    outbox_deliver()
    url = reverse("communications:sms_status_webhook")
    _signed_post(
        client, url, {"MessageSid": "SM1", "MessageStatus": "undelivered", "ErrorCode": "30003"}
    )
    message.refresh_from_db()
    assert message.status == "failed" and "30003" in message.last_error


def test_locmem_sms_channel_keeps_what_was_sent() -> None:
    _queue_sms()
    assert outbox_deliver().sent == 1
    assert [o.to for o in channels.sms_outbox] == ["+93700111222"]


def test_the_periodic_job_is_registered() -> None:
    from haven.common import periodic

    assert "outbox" in [job.name for job in periodic.jobs()]


@pytest.mark.slow
def test_the_outbox_keeps_to_the_providers_rate_limit_on_loopback(settings) -> None:
    from haven.communications.fake_provider import FakeProvider

    for i in range(30):
        make_requester(phone=f"+93 700 200 {100 + i}", given_name=f"P{i}", index=i)
    messages_queue(purpose="closed", contacts=request_contacts(Request.objects.all()), actor=None)
    with FakeProvider(rate_limit=10) as fake:
        settings.HAVEN_SMS_CHANNEL = "twilio"
        settings.HAVEN_TWILIO_BASE_URL = fake.url
        settings.HAVEN_SMS_RATE_PER_SECOND = 10
        delivered = outbox_deliver()
    assert delivered.sent == 30 and fake.rejected_for_rate == 0
    assert fake.max_in_any_second() <= 10
    assert len(fake.sent) == 30
