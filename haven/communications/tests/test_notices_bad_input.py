"""Bulk notices against issue 16's bad input: a language missing, unusable addresses, provider
errors shown on the notice, quiet hours, and the one audit event with its manifest."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from haven.audit.models import AuditEvent
from haven.communications import channels
from haven.communications.channels import HttpResponse, TwilioSmsChannel
from haven.communications.models import Message, MessageTemplate, Notice
from haven.communications.notices import NoticeFilters, notice_create, notice_manifest
from haven.communications.outbox import outbox_deliver
from haven.intake.models import Identifier

from .helpers import make_requester

pytestmark = pytest.mark.django_db
KARACHI = ZoneInfo("Asia/Karachi")


def _notice(supervisor) -> tuple[Notice, dict[str, int]]:
    notice, result = notice_create(
        user=supervisor, purpose="general_notice", filters=NoticeFilters(status="received")
    )
    assert result is not None
    return notice, result.summary()


def test_a_language_without_texts_goes_in_english_and_the_preview_says_so(
    client_for, supervisor
) -> None:
    MessageTemplate.objects.filter(purpose="general_notice", language="ps").delete()
    pashto = make_requester(email="pashto@example.org", language="ps")
    page = (
        client_for(supervisor)
        .get(
            reverse("communications:notice_new"),
            {"purpose": "general_notice", "status": "received"},
        )
        .content.decode()
    )
    assert "No text in this language: the English text is sent" in page
    _notice(supervisor)
    message = Message.objects.get(request=pashto)
    assert message.language == "en"
    assert "general notice to everyone" in message.body


def test_invalid_addresses_and_numbers_are_excluded_and_counted(client_for, supervisor) -> None:
    make_requester(email="no-domain@", given_name="Badmail")
    make_requester(phone="12", given_name="Badphone")
    make_requester(email="fine@example.org", given_name="Fine")
    response = client_for(supervisor).get(
        reverse("communications:notice_new"), {"purpose": "general_notice", "status": "received"}
    )
    preview = response.context["preview"]
    assert preview.result.excluded_invalid == 2 and preview.result.queued == 1
    _n, counts = _notice(supervisor)
    # haven notify's four figures count an unusable address as no contact.
    assert counts == {
        "queued": 1,
        "excluded_opted_out": 0,
        "excluded_no_contact": 2,
        "already_sent": 0,
    }
    assert Message.objects.count() == 1


def test_an_erased_identifier_is_no_address(supervisor) -> None:
    request = make_requester(phone="+93 700 555 666")
    # As retention leaves it: neither the token nor the keyed hash.
    Identifier.objects.filter(person_record__request=request).update(
        normalized_encrypted="", value_hash=""
    )
    _n, counts = _notice(supervisor)
    assert counts["queued"] == 0 and counts["excluded_no_contact"] == 1


def test_the_recipient_is_the_address_the_requester_gave(supervisor, settings) -> None:
    settings.HAVEN_SMS_CHANNEL = "locmem"
    make_requester(phone="0700 123 456", given_name="Gul")  # national format: stored as E.164
    make_requester(email="Mixed.Case@Example.org", given_name="Noor")
    _notice(supervisor)
    assert outbox_deliver().sent == 2
    from django.core import mail

    assert [m.to for m in mail.outbox] == [["mixed.case@example.org"]]
    assert [o.to for o in channels.sms_outbox] == ["+93700123456"]


def test_provider_errors_are_shown_on_the_notice_page(
    client_for, supervisor, monkeypatch, settings
) -> None:
    settings.HAVEN_OUTBOX_MAX_ATTEMPTS = 2
    refused = HttpResponse(400, b'{"code": 21211, "message": "The \'To\' number is not valid."}')
    monkeypatch.setattr(channels, "sms_channel", lambda: TwilioSmsChannel(post=lambda *a: refused))
    make_requester(phone="+93 700 111 999")
    notice, _counts = _notice(supervisor)
    assert outbox_deliver().failed == 1
    page = (
        client_for(supervisor)
        .get(reverse("communications:notice_detail", args=[notice.pk]))
        .content.decode()
    )
    assert "failed: 1" in page
    assert "21211" in page


def test_a_notice_queued_at_night_goes_in_the_morning(supervisor, settings) -> None:
    settings.HAVEN_MESSAGE_QUIET_HOURS = "21:00-08:00"
    with time_machine.travel(dt.datetime(2026, 12, 2, 22, 15, tzinfo=KARACHI), tick=False):
        make_requester(email="night@example.org")
        _notice(supervisor)
        assert Message.objects.get().not_before == dt.datetime(2026, 12, 3, 8, 0, tzinfo=KARACHI)
        assert outbox_deliver().sent == 0
    with time_machine.travel(dt.datetime(2026, 12, 3, 8, 1, tzinfo=KARACHI), tick=False):
        assert outbox_deliver().sent == 1


def test_one_audit_event_per_notice_with_a_manifest_of_its_recipients(supervisor) -> None:
    for i in range(5):
        make_requester(email=f"person{i}@example.org", given_name=f"Person{i}")
    before = AuditEvent.objects.count()
    notice, _counts = _notice(supervisor)
    events = AuditEvent.objects.filter(object_type="communications.notice", object_id=notice.pk)
    # Created, then queued: two events for the notice, none per message.
    assert AuditEvent.objects.count() - before == 2 == events.count()
    queued = events.get(summary__endswith="queued")
    details = queued.details if isinstance(queued.details, dict) else json.loads(queued.details)
    assert details["manifest"] == notice_manifest(notice)
    assert details["manifest"]["messages"] == 5
    # A message added afterwards no longer matches what the audit trail holds.
    extra = Message.objects.filter(notice=notice).first()
    assert extra is not None
    Message.objects.filter(pk=extra.pk).update(recipient_hash="0" * 64)
    assert notice_manifest(notice) != details["manifest"]
