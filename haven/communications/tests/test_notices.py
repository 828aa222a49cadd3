from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from haven.accounts.models import Role, User
from haven.common import crypto
from haven.communications.contacts import address_hash
from haven.communications.models import Message, Notice, OptOut

from .helpers import make_many, make_requester

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_supervisor(task_force) -> User:
    return User.objects.create_user(
        username="supervisor2", password="x" * 16, role=Role.SUPERVISOR, organization=task_force
    )


@pytest.fixture
def mixed() -> None:
    """Three reachable (one e-mail in Dari, two by SMS sharing one phone), one opted out,
    one without contact, one with an invalid number."""
    make_requester(email="dari@example.org", language="fa-af")
    make_requester(phone="+93 700 111 222", language="ps", given_name="Gul")
    make_requester(phone="0700111222", language="ps", given_name="Zarghona")  # same phone
    make_requester(phone="+93 700 333 444", given_name="Noor")
    make_requester(email="stopped@example.org", given_name="Zabihullah")
    OptOut.objects.create(
        channel="email", address_hash=address_hash("email", "stopped@example.org"), source="staff"
    )
    make_requester(given_name="Nobody")
    make_requester(phone="12", given_name="Badnumber")


def _notify(*args: str) -> tuple[dict[str, int], str]:
    out = StringIO()
    call_command("notify", *args, "--json", stdout=out)
    text = out.getvalue()
    return json.loads(text.strip().splitlines()[-1]), text


def test_preview_counts_per_channel_and_exclusions(client_for, supervisor, mixed) -> None:
    response = client_for(supervisor).get(
        reverse("communications:notice_new"), {"purpose": "general_notice", "status": "received"}
    )
    preview = response.context["preview"]
    assert preview.result.by_channel == {"email": 1, "sms": 2}
    assert preview.result.excluded_opted_out == 1
    assert preview.result.excluded_no_contact == 1
    assert preview.result.excluded_invalid == 1
    assert preview.result.shared_address == 1
    page = response.content.decode()
    assert "دفتر ما همهٔ درخواست‌ها را به ترتیب بررسی می‌کند" in page  # the Dari sample
    assert Message.objects.count() == 0  # a preview sends nothing


def test_cli_queues_and_the_same_notice_twice_sends_nothing_new(supervisor, mixed) -> None:
    first, _text = _notify(
        "--template", "general_notice", "--status", "received", "--as", "supervisor"
    )
    assert first == {
        "queued": 3,
        "excluded_opted_out": 1,
        "excluded_no_contact": 2,
        "already_sent": 0,
    }
    again, _text = _notify(
        "--template", "general_notice", "--status", "received", "--as", "supervisor"
    )
    # The second member on the shared phone counts too: that phone has had this notice.
    assert again == {
        "queued": 0,
        "excluded_opted_out": 1,
        "excluded_no_contact": 2,
        "already_sent": 4,
    }
    assert Message.objects.count() == 3
    assert {m.language for m in Message.objects.all()} == {"fa-af", "ps", "en"}


def test_cli_dry_run_queues_nothing(supervisor, mixed) -> None:
    counts, text = _notify(
        "--template", "general_notice", "--status", "received", "--as", "supervisor", "--dry-run"
    )
    assert counts["queued"] == 3 and Message.objects.count() == 0
    assert "[fa-af]" in text


def test_cli_refuses_a_caseworker(caseworker, mixed) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="may not send notices"):
        _notify("--template", "general_notice", "--status", "received", "--as", "caseworker")


def test_a_large_notice_waits_for_a_second_supervisor(
    client_for, supervisor, second_supervisor, settings
) -> None:
    settings.HAVEN_NOTICE_APPROVAL_ABOVE = 3
    make_many(5)
    counts, _text = _notify(
        "--template", "general_notice", "--status", "received", "--as", "supervisor"
    )
    assert counts["queued"] == 0 and Message.objects.count() == 0
    notice = Notice.objects.get()
    assert notice.status == Notice.Status.AWAITING_APPROVAL
    url = reverse("communications:notice_detail", args=[notice.pk])
    client_for(supervisor).post(url)  # the creator cannot approve their own
    assert Message.objects.count() == 0
    client_for(second_supervisor).post(url)
    notice.refresh_from_db()
    assert notice.status == Notice.Status.QUEUED and notice.approved_by == second_supervisor
    assert Message.objects.filter(notice=notice).count() == 5
    client_for(second_supervisor).post(url)  # approving twice queues nothing more
    assert Message.objects.count() == 5


def test_web_notice_by_channel_sends_only_sms(client_for, supervisor, mixed) -> None:
    response = client_for(supervisor).post(
        reverse("communications:notice_new"),
        {"purpose": "general_notice", "status": "received", "channel": "sms"},
    )
    assert response.status_code == 302
    assert set(Message.objects.values_list("channel", flat=True)) == {"sms"}
    assert Message.objects.count() == 2


def test_notices_are_for_supervisors_only(client_for, caseworker) -> None:
    assert client_for(caseworker).get(reverse("communications:notice_new")).status_code == 403


def test_it_stores_the_outbox_texts_encrypted(supervisor) -> None:
    # More than a handful of rows: any path kept for large batches is covered too.
    make_many(12)
    counts, _text = _notify(
        "--template", "general_notice", "--status", "received", "--as", "supervisor"
    )
    assert counts["queued"] == 12
    with connection.cursor() as cursor:
        cursor.execute("SELECT recipient, subject, body FROM communications_message")
        stored = cursor.fetchall()
    assert len(stored) == 12
    addresses = {f"requester-{i}@example.org" for i in range(12)}
    for recipient, subject, body in stored:
        assert "@" not in recipient and "example" not in subject + body
        assert crypto.decrypt(recipient) in addresses
        assert crypto.decrypt(subject) and crypto.decrypt(body)
    assert {m.recipient for m in Message.objects.all()} == addresses
