"""The receipt message: every request that arrives with contact details gets one, in the
requester's language on the channel they gave, in the transaction that stored it."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse

from haven.communications import channels
from haven.communications.contacts import address_hash
from haven.communications.models import Message
from haven.communications.outbox import outbox_deliver
from haven.communications.services import optout_record
from haven.intake.models import Channel, Request
from haven.intake.services import requests_pending_drain
from haven.intake.tests.api_helpers import example_body, issue_token, post
from haven.intake.tests.test_public_form import apply_post
from haven.intake.tests.test_walk_in import walk_in_post

from .helpers import make_requester

pytestmark = pytest.mark.django_db


def test_it_queues_a_walk_ins_receipt_by_sms_and_delivers_it(client_for, intake_officer) -> None:
    response = client_for(intake_officer).post(reverse("intake:walk_in"), walk_in_post())
    assert response.status_code == 302
    request = Request.objects.get()
    message = Message.objects.get()
    assert (message.purpose, message.channel, message.request_id) == ("receipt", "sms", request.pk)
    assert request.receipt_number in message.body
    outbox_deliver()
    assert [o.to for o in channels.sms_outbox] == ["+93700123456"]
    assert request.receipt_number in channels.sms_outbox[0].body


def test_it_writes_the_receipt_in_the_requesters_language() -> None:
    request = make_requester(phone="+93 700 111 222", language="fa-af", receipt_message=True)
    message = Message.objects.get(purpose="receipt")
    assert message.language == "fa-af"
    assert "دریافت شد" in message.body and request.receipt_number in message.body


def test_the_receipt_rolls_back_with_the_request() -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        make_requester(email="someone@example.org", receipt_message=True)
        assert Message.objects.filter(purpose="receipt").count() == 1
        raise RuntimeError("the intake failed after storing")
    assert not Request.objects.exists() and not Message.objects.exists()


def test_an_opted_out_address_gets_no_receipt() -> None:
    optout_record(
        channel="email", address_hash=address_hash("email", "stop@example.org"), source="link"
    )
    make_requester(email="stop@example.org", receipt_message=True)
    assert not Message.objects.exists()


def test_no_contact_means_no_receipt_and_no_error() -> None:
    make_requester(receipt_message=True)
    assert not Message.objects.exists()


def test_each_request_in_a_household_sharing_a_phone_gets_its_own_receipt() -> None:
    one = make_requester(phone="+93 700 111 222", index=1, receipt_message=True)
    two = make_requester(phone="+93 700 111 222", index=2, receipt_message=True)
    bodies = list(Message.objects.filter(purpose="receipt").values_list("body", flat=True))
    assert len(bodies) == 2
    assert any(one.receipt_number in b for b in bodies)
    assert any(two.receipt_number in b for b in bodies)


@override_settings(HAVEN_RECEIPT_MESSAGE_CHANNELS=["web_form"])
def test_channels_left_out_of_the_setting_send_none() -> None:
    make_requester(phone="+93 700 111 222", channel=Channel.WALK_IN, receipt_message=True)
    assert not Message.objects.exists()


def test_the_public_form_with_only_a_phone_gets_the_receipt_by_sms(client: Client) -> None:
    client.post("/apply/", apply_post(**{"request-phone": "+93 70 123 4567"}))
    request = Request.objects.get()
    message = Message.objects.get()
    assert (message.purpose, message.channel) == ("receipt", "sms")
    assert request.receipt_number in message.body


def test_the_public_form_with_an_e_mail_sends_one_receipt_not_two(
    client: Client, django_capture_on_commit_callbacks
) -> None:
    data = apply_post(**{"request-email": "applicant@example.org"})
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/apply/", data)
    # The form's own e-mail, with the status secret, is the receipt: nothing in the outbox.
    assert not Message.objects.exists()
    assert [m.to for m in mail.outbox] == [["applicant@example.org"]]


def test_the_api_receipt_goes_once_the_people_are_stored(partner_org_a) -> None:
    body = example_body()
    body["people"][0]["identifiers"] = [{"kind": "phone", "value": "+93 700 555 666"}]
    response = post(issue_token(partner_org_a), body)
    assert response.status_code == 201, response.content
    assert not Message.objects.exists()  # the principal's phone is not stored yet
    requests_pending_drain()
    message = Message.objects.get()
    assert (message.purpose, message.channel) == ("receipt", "sms")
    assert Request.objects.get().receipt_number in message.body
    requests_pending_drain()  # nothing pending: no second receipt
    assert Message.objects.count() == 1
