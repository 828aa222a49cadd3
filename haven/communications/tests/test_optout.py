from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from haven.cases.models import Case
from haven.cases.signals import public_status_changed
from haven.communications import channels
from haven.communications.inbound import signature
from haven.communications.models import InboundMessage, Message, OptOut
from haven.communications.outbox import outbox_deliver

from .helpers import make_requester

pytestmark = pytest.mark.django_db


def _close(request) -> None:
    case = Case.objects.get(case_requests__request=request)
    public_status_changed.send(
        sender=Case, case=case, changes=[(request, "received", "closed")], actor=None
    )


def _inbound(client, params: dict[str, str]):
    url = reverse("communications:sms_inbound_webhook")
    full = "http://testserver" + url
    return client.post(
        url, params, HTTP_X_TWILIO_SIGNATURE=signature(full, params, "test-auth-token")
    )


def test_stop_by_sms_is_honoured_by_every_later_send(client) -> None:
    request = make_requester(phone="+93 700 111 222")
    response = _inbound(client, {"From": "+93700111222", "Body": " stop ", "MessageSid": "SMa"})
    assert response.status_code == 200
    assert OptOut.objects.filter(channel="sms", source="sms_stop").count() == 1
    _close(request)
    assert Message.objects.count() == 0
    outbox_deliver()
    assert channels.sms_outbox == []


def test_a_message_queued_before_the_opt_out_is_not_sent(client) -> None:
    request = make_requester(phone="+93 700 111 222")
    _close(request)
    _inbound(client, {"From": "+93700111222", "Body": "STOP", "MessageSid": "SMb"})
    assert outbox_deliver().cancelled == 1
    assert Message.objects.get().status == "cancelled" and channels.sms_outbox == []


def test_the_unsubscribe_link_asks_then_opts_out(client) -> None:
    request = make_requester(email="leave@example.org")
    _close(request)
    outbox_deliver()
    body = mail.outbox[0].body
    link = body.split("open: ")[1].split()[0]
    path = link.replace("http://127.0.0.1:8000", "")
    assert "leave" not in path and "example" not in path  # only the token, no address
    assert mail.outbox[0].extra_headers["List-Unsubscribe"] == f"<{link}>"
    assert "Stop e-mails" in client.get(path).content.decode()
    assert OptOut.objects.count() == 0  # a link scanner's GET changes nothing
    client.post(path)
    assert OptOut.objects.filter(channel="email", source="email_link").count() == 1
    _close(request)
    assert Message.objects.count() == 1  # only the first


def test_a_forged_unsubscribe_token_is_refused(client) -> None:
    response = client.post(reverse("communications:unsubscribe", args=["not-a-token"]))
    assert response.status_code == 400 and OptOut.objects.count() == 0


def test_an_sms_from_a_known_number_is_attached_to_its_requester(client, client_for, caseworker):
    request = make_requester(phone="+93 700 111 222")
    _inbound(client, {"From": "+93700111222", "Body": "مننه، اسناد مې راوړل", "MessageSid": "SMc"})
    _inbound(client, {"From": "+93700111222", "Body": "مننه، اسناد مې راوړل", "MessageSid": "SMc"})
    reply = InboundMessage.objects.get()
    assert reply.request == request and reply.channel == "sms"
    case = Case.objects.get(case_requests__request=request)
    page = client_for(caseworker).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "اسناد مې راوړل" in page


def test_an_sms_from_an_unknown_number_is_kept_unattached(client) -> None:
    _inbound(client, {"From": "+93700999888", "Body": "hello", "MessageSid": "SMd"})
    assert InboundMessage.objects.get().request is None


def test_inbound_webhook_refuses_a_bad_signature(client) -> None:
    url = reverse("communications:sms_inbound_webhook")
    response = client.post(
        url, {"From": "+93700111222", "Body": "STOP"}, HTTP_X_TWILIO_SIGNATURE="x"
    )
    assert response.status_code == 403 and OptOut.objects.count() == 0
