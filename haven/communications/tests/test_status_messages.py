from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.urls import reverse

from haven.cases.models import Case
from haven.cases.signals import public_status_changed
from haven.communications.models import Message
from haven.communications.outbox import outbox_deliver

from .helpers import make_requester

pytestmark = pytest.mark.django_db
KARACHI = ZoneInfo("Asia/Karachi")


def _change(request, new: str) -> None:
    case = Case.objects.get(case_requests__request=request)
    old = request.status
    request.status = new
    request.save(update_fields=["status"])
    public_status_changed.send(sender=Case, case=case, changes=[(request, old, new)], actor=None)


def test_a_status_change_queues_a_message_in_the_requesters_language() -> None:
    request = make_requester(phone="+93 700 111 222", language="ps")
    _change(request, "under_review")
    message = Message.objects.get()
    assert (message.purpose, message.language, message.channel) == ("status_changed", "ps", "sms")
    assert "د کتنې لاندې" in message.body and request.receipt_number in message.body


def test_the_message_rolls_back_with_the_change() -> None:
    request = make_requester(email="a@example.org")
    with pytest.raises(RuntimeError), transaction.atomic():
        _change(request, "closed")
        raise RuntimeError("the status change failed")
    assert Message.objects.count() == 0


def test_statuses_without_a_template_send_nothing(settings) -> None:
    settings.HAVEN_STATUS_MESSAGES = {**settings.HAVEN_STATUS_MESSAGES, "closed": ""}
    request = make_requester(email="a@example.org")
    _change(request, "closed")
    _change(request, "received")
    assert Message.objects.count() == 0


def test_household_on_one_phone_gets_one_message() -> None:
    first = make_requester(phone="+93 700 111 222", given_name="Gul")
    second = make_requester(phone="0700 111 222", given_name="Zarghona")
    case = Case.objects.get(case_requests__request=first)
    public_status_changed.send(
        sender=Case,
        case=case,
        changes=[(first, "received", "closed"), (second, "received", "closed")],
        actor=None,
    )
    assert Message.objects.count() == 1


def test_quiet_hours_defer_the_message_and_it_goes_in_the_morning(settings) -> None:
    settings.HAVEN_MESSAGE_QUIET_HOURS = "21:00-08:00"
    with time_machine.travel(dt.datetime(2026, 12, 2, 23, 30, tzinfo=KARACHI), tick=False):
        request = make_requester(email="night@example.org")
        _change(request, "closed")
        message = Message.objects.get()
        assert message.not_before == dt.datetime(2026, 12, 3, 8, 0, tzinfo=KARACHI)
        assert outbox_deliver().sent == 0
    with time_machine.travel(dt.datetime(2026, 12, 3, 8, 1, tzinfo=KARACHI), tick=False):
        assert outbox_deliver().sent == 1
    assert mail.outbox[0].to == ["night@example.org"]


def test_a_caseworker_asks_for_documents_from_the_case_page(client_for, caseworker) -> None:
    request = make_requester(email="docs@example.org", language="fa-af")
    case = Case.objects.get(case_requests__request=request)
    client = client_for(caseworker)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'id="documents-needed"' in page
    response = client.post(
        reverse("communications:documents_request", args=[case.pk]),
        {"documents": ["passport", "recommendation"], "other": "کاپی قرارداد"},
    )
    assert response.status_code == 302
    message = Message.objects.get()
    assert message.purpose == "documents_needed" and message.case == case
    assert "- پاسپورت\n- سفارش‌نامهٔ آمر شما\n- کاپی قرارداد" in message.body
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Documents needed" in page


def test_asking_for_nothing_is_refused_with_a_message(client_for, caseworker) -> None:
    request = make_requester(email="docs@example.org")
    case = Case.objects.get(case_requests__request=request)
    response = client_for(caseworker).post(
        reverse("communications:documents_request", args=[case.pk]), {}, follow=True
    )
    assert "Choose at least one document" in response.content.decode()
    assert Message.objects.count() == 0


def test_an_intake_officer_cannot_ask_for_documents(client_for, intake_officer) -> None:
    request = make_requester(email="docs@example.org")
    case = Case.objects.get(case_requests__request=request)
    response = client_for(intake_officer).post(
        reverse("communications:documents_request", args=[case.pk]), {"documents": ["passport"]}
    )
    assert response.status_code == 403
