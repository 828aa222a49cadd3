from __future__ import annotations

import pytest
from django.core import mail
from django.core.mail import EmailMessage, send_mail

from haven.communications.backends import RecipientLeak
from haven.communications.notices import NoticeFilters, notice_create
from haven.communications.outbox import outbox_deliver

from .helpers import make_many

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "kwargs",
    [
        {"to": ["a@example.org", "b@example.org"]},
        {"to": [], "bcc": ["a@example.org", "b@example.org"]},
        {"to": ["a@example.org"], "cc": ["b@example.org"]},
        {"to": ["a@example.org"], "bcc": ["b@example.org"]},
        {"to": ["a@example.org, b@example.org"]},
        {"to": ["a@example.org"], "headers": {"Cc": "b@example.org"}},
    ],
)
def test_the_guard_refuses_anything_but_one_address_in_to(kwargs) -> None:
    with pytest.raises(RecipientLeak):
        EmailMessage(subject="s", body="b", **kwargs).send()
    assert mail.outbox == []


def test_the_guard_refuses_even_when_told_to_fail_silently() -> None:
    with pytest.raises(RecipientLeak):
        send_mail("s", "b", None, ["a@example.org", "b@example.org"], fail_silently=True)


def test_a_batch_with_one_bad_message_sends_none() -> None:
    from django.core.mail import get_connection

    good = EmailMessage(subject="s", body="b", to=["a@example.org"])
    bad = EmailMessage(subject="s", body="b", to=["a@example.org", "b@example.org"])
    with pytest.raises(RecipientLeak):
        get_connection().send_messages([good, bad])
    assert mail.outbox == []


def test_a_bulk_notice_to_1000_requesters_sends_1000_single_recipient_mails(supervisor, settings):
    settings.HAVEN_NOTICE_APPROVAL_ABOVE = 5000
    requests = make_many(1000)
    _notice, result = notice_create(
        user=supervisor, purpose="general_notice", filters=NoticeFilters(status="received")
    )
    assert result is not None and result.queued == 1000
    delivered = outbox_deliver()
    assert delivered.sent == 1000
    assert len(mail.outbox) == 1000
    seen = set()
    for message in mail.outbox:
        assert len(message.to) == 1 and not message.cc and not message.bcc
        assert message.recipients() == message.to
        parsed = message.message()
        assert parsed.get_all("Cc") is None and parsed.get_all("Bcc") is None
        assert len(parsed.get_all("To")) == 1 and "," not in parsed["To"]
        seen.add(message.to[0])
    assert seen == {f"requester-{i}@example.org" for i in range(len(requests))}
