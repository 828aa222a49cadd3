"""Live e-mail intake over IMAP: read-only, once per message, through dropped connections."""

from __future__ import annotations

import io
import json
from email.message import EmailMessage

import pytest
from django.core.management import CommandError, call_command

from haven.common import periodic
from haven.intake.importing import imap
from haven.intake.importing.imap import ImapAccount, ImapError, imap_poll
from haven.intake.models import ImportBatch, MailboxCursor, MailMessage, Request

from .fake_imap import Mailbox, fake_imap

pytestmark = pytest.mark.django_db

# What a read-only poll may ever ask of a server.
READ_ONLY_VERBS = {"CAPABILITY", "LOGIN", "EXAMINE", "UID SEARCH", "UID FETCH", "LOGOUT"}


def raw(n: int, name: str = "Gul Ahmad") -> bytes:
    msg = EmailMessage()
    msg["From"] = f"Writer {n} <writer{n}@example.org>"
    msg["To"] = "siv-desk@example.org"
    msg["Subject"] = f"{name} Zadran {n} 12/04/1988"
    msg["Date"] = "Tue, 24 Aug 2021 09:30:00 +0430"
    msg["Message-ID"] = f"<imap-{n}@example.org>"
    msg.set_content(f"Please help my family. My name is {name} Zadran {n}.")
    return msg.as_bytes()


def account(port: int, box: Mailbox) -> ImapAccount:
    return ImapAccount(
        host="127.0.0.1", port=port, user=box.user, password=box.password, ssl=False, timeout=5
    )


def poll(port: int, box: Mailbox, retries: int = 2) -> ImportBatch:
    batch, _counts = imap_poll(
        actor=None, account=account(port, box), retries=retries, sleep=lambda _s: None
    )
    return batch


def verbs(box: Mailbox) -> set[str]:
    return {" ".join(c.split()[:2]) if c.startswith("UID") else c.split()[0] for c in box.commands}


def test_it_imports_every_new_message_and_only_reads_the_mailbox():
    box = Mailbox()
    for n in range(1, 4):
        box.add(raw(n))
    with fake_imap(box) as port:
        batch = poll(port, box)

    assert batch.status == ImportBatch.Status.DONE, batch.error
    assert (batch.rows, batch.imported, batch.skipped, batch.rejected) == (3, 3, 0, 0)
    assert Request.objects.filter(channel="email").count() == 3
    assert MailMessage.objects.count() == 3
    assert verbs(box) <= READ_ONLY_VERBS
    assert any(c.startswith("EXAMINE") for c in box.commands)
    assert all("BODY.PEEK[]" in c for c in box.commands if c.startswith("UID FETCH"))


def test_a_second_poll_reads_only_what_arrived_since():
    box = Mailbox()
    box.add(raw(1))
    box.add(raw(2))
    with fake_imap(box) as port:
        poll(port, box)
        box.add(raw(3))
        box.commands.clear()
        second = poll(port, box)
        box.commands.clear()
        third = poll(port, box)

    assert (second.rows, second.imported) == (1, 1)
    assert (third.rows, third.imported) == (0, 0)
    assert Request.objects.count() == 3
    assert not any(c.startswith("UID FETCH") for c in box.commands)  # nothing new to fetch
    assert MailboxCursor.objects.get().last_uid == 3


def test_a_dropped_connection_resumes_after_the_last_chunk_and_imports_nothing_twice(
    monkeypatch,
):
    monkeypatch.setattr(imap, "CHUNK_MESSAGES", 2)
    box = Mailbox(drop_on_fetch=2)  # the server hangs up while sending the second chunk
    for n in range(1, 6):
        box.add(raw(n))
    with fake_imap(box) as port:
        batch = poll(port, box)

    assert batch.status == ImportBatch.Status.DONE, batch.error
    assert batch.imported == 5 and batch.rejected == 0
    assert MailMessage.objects.count() == 5
    assert Request.objects.count() == 5
    assert sorted(MailMessage.objects.values_list("request__receipt_number", flat=True)) == sorted(
        set(Request.objects.values_list("receipt_number", flat=True))
    )
    assert MailboxCursor.objects.get().last_uid == 5


def test_a_server_that_keeps_hanging_up_fails_with_a_reason_and_the_next_poll_completes():
    box = Mailbox(drop_always=True)
    for n in range(1, 4):
        box.add(raw(n))
    with fake_imap(box) as port:
        failed = poll(port, box, retries=2)
        assert failed.status == ImportBatch.Status.FAILED
        assert "connection to the mail server was lost" in failed.error
        assert box.fetches == 3  # the first try and two retries
        assert "connection" in MailboxCursor.objects.get().last_error
        assert Request.objects.count() == 0

        box.drop_always = False
        done = poll(port, box)

    assert done.status == ImportBatch.Status.DONE
    assert done.imported == 3 and Request.objects.count() == 3
    assert MailboxCursor.objects.get().last_error == ""


def test_a_rebuilt_mailbox_is_read_again_without_duplicates():
    box = Mailbox(uidvalidity=7)
    box.add(raw(1))
    box.add(raw(2))
    with fake_imap(box) as port:
        poll(port, box)
        # The server rebuilt the folder: new UIDVALIDITY, the same messages under new UIDs,
        # and one more.
        box.uidvalidity = 8
        box.messages = {10: raw(1), 11: raw(2), 12: raw(3)}
        again = poll(port, box)

    assert (again.rows, again.imported, again.skipped) == (3, 1, 2)
    assert Request.objects.count() == 3
    cursor = MailboxCursor.objects.get()
    assert (cursor.uidvalidity, cursor.last_uid) == (8, 12)


def test_a_wrong_password_is_a_clear_message_and_changes_nothing():
    box = Mailbox()
    box.add(raw(1))
    with fake_imap(box) as port:
        wrong = ImapAccount(
            host="127.0.0.1", port=port, user=box.user, password="nope", ssl=False, timeout=5
        )
        batch, _ = imap_poll(actor=None, account=wrong, retries=3, sleep=lambda _s: None)

    assert batch.status == ImportBatch.Status.FAILED
    assert batch.error == "The mail server refused the account's user name or password."
    assert sum(c.startswith("LOGIN") for c in box.commands) == 1  # a refusal is not retried
    assert Request.objects.count() == 0


def test_the_command_polls_the_configured_mailbox_and_ends_with_counts(settings):
    box = Mailbox()
    box.add(raw(1))
    box.add(raw(2))
    with fake_imap(box) as port:
        settings.HAVEN_IMAP_HOST = "127.0.0.1"
        settings.HAVEN_IMAP_PORT = port
        settings.HAVEN_IMAP_SSL = False
        settings.HAVEN_IMAP_USER = box.user
        settings.HAVEN_IMAP_PASSWORD = box.password
        out = io.StringIO()
        call_command("import_mail", "--imap", "--json", stdout=out, stderr=io.StringIO())
        again = io.StringIO()
        call_command("import_mail", "--imap", "--json", stdout=again, stderr=io.StringIO())
        tick = periodic.run_all(only={"intake.imap"})

    assert json.loads(out.getvalue().splitlines()[-1]) == {
        "messages": 2,
        "imported": 2,
        "rejected": 0,
        "skipped": 0,
    }
    assert json.loads(again.getvalue().splitlines()[-1])["messages"] == 0
    assert tick["intake.imap"].endswith("0 imported, 0 skipped")
    assert Request.objects.count() == 2


def test_without_a_configured_mailbox_the_command_says_so_and_the_tick_job_rests(settings):
    settings.HAVEN_IMAP_HOST = ""
    with pytest.raises(CommandError, match="IMAP polling is not set up"):
        call_command("import_mail", "--imap", stdout=io.StringIO(), stderr=io.StringIO())
    with pytest.raises(CommandError, match="not both or neither"):
        call_command("import_mail", stdout=io.StringIO(), stderr=io.StringIO())
    assert periodic.run_all(only={"intake.imap"}) == {"intake.imap": "not configured"}
    with pytest.raises(ImapError):
        imap_poll(actor=None)
