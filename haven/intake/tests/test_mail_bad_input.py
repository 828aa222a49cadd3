"""Bad e-mail input: every message accounted for, a clear flag or reason, nothing imported twice."""

from __future__ import annotations

import io
import json
from email.message import EmailMessage
from pathlib import Path

import pytest
from django.core.management import call_command

from haven.intake.importing.mail import raw_bytes
from haven.intake.models import ImportBatch, MailMessage, Request

pytestmark = pytest.mark.django_db


def message(subject: str, body: str, message_id: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "writer@example.org"
    msg["Subject"] = subject
    msg["Date"] = "Tue, 24 Aug 2021 09:30:00 +0430"
    msg["Message-ID"] = message_id
    msg.set_content(body)
    return msg


def run(path: Path) -> dict[str, int]:
    out = io.StringIO()
    call_command("import_mail", str(path), "--json", stdout=out, stderr=io.StringIO())
    return json.loads(out.getvalue().strip().splitlines()[-1])


def stored(message_id: str) -> MailMessage:
    return next(
        m for m in MailMessage.objects.select_related("request") if m.message_id == message_id
    )


def test_a_20_mb_message_is_imported_whole_and_read_from_its_beginning(tmp_path):
    body = "Name: Wali Hotak\nDate of birth: 1975\n\n" + ("filler line of text\n" * 1_050_000)
    raw = message("Help", body, "<big@x>").as_bytes()
    assert len(raw) > 20_000_000
    (tmp_path / "big.eml").write_bytes(raw)
    assert run(tmp_path / "big.eml") == {"messages": 1, "imported": 1, "rejected": 0, "skipped": 0}
    mail = stored("<big@x>")
    assert "body_truncated" in mail.flags
    assert mail.request.person_records.get().full_name == "Wali Hotak"
    # The original is kept byte for byte though only its beginning was read.
    assert raw_bytes(mail.request.raw_input, mail.request.raw_content_type) == raw


def test_an_mbox_with_broken_separators_loses_no_message(tmp_path):
    one = message("Karim Popal 1984", "From my side: please help.\nFrom here on we hide.", "<1@x>")
    two = message("Roya Safi 1990", "help", "<2@x>")
    three = message("Tariq Noori 1979", "help", "<3@x>")
    data = (
        # A damaged first separator, body lines starting "From " that nobody escaped, a
        # separator with CRLF, and one message glued on with no blank line before it.
        b"From garbled\n"
        + one.as_bytes()
        + b"\nFrom MAILER-DAEMON Tue Aug 24 09:30:00 2021\r\n"
        + two.as_bytes()
        + b"From someone@example.org Tue Aug 24 09:31:00 2021\n"
        + three.as_bytes()
    )
    (tmp_path / "broken.mbox").write_bytes(data)
    assert run(tmp_path / "broken.mbox") == {
        "messages": 3,
        "imported": 3,
        "rejected": 0,
        "skipped": 0,
    }
    assert "From here on we hide." in stored("<1@x>").request.help_requested
    assert stored("<3@x>").request.person_records.get().full_name == "Tariq Noori"
    # The same file again: nothing twice.
    assert run(tmp_path / "broken.mbox")["skipped"] == 3
    assert Request.objects.count() == 3


def test_an_unreadable_charset_is_read_with_replacements_and_flagged(tmp_path):
    raw = (
        b"From: a@example.org\r\nSubject: Ahmad Safi 1988\r\nMessage-ID: <cs@x>\r\n"
        b"Content-Type: text/plain; charset=x-no-such-charset\r\n\r\n"
        b"Name: Ahmad Safi\r\n\xff\xfe broken bytes\r\n"
    )
    (tmp_path / "cs.eml").write_bytes(raw)
    assert run(tmp_path / "cs.eml")["imported"] == 1
    mail = stored("<cs@x>")
    assert "charset_unreadable" in mail.flags
    assert mail.request.person_records.get().full_name == "Ahmad Safi"
    assert raw_bytes(mail.request.raw_input, mail.request.raw_content_type) == raw


def test_a_family_list_of_300_names_goes_to_data_entry_with_its_count(tmp_path):
    lines = "\n".join(f"Family member {i}: Person{chr(65 + i % 26)}, son, 2001" for i in range(300))
    (tmp_path / "list.eml").write_bytes(
        message("Nasir Amiri 1970", "Name: Nasir Amiri\n" + lines, "<300@x>").as_bytes()
    )
    assert run(tmp_path / "list.eml")["imported"] == 1
    mail = stored("<300@x>")
    assert "members_too_many:301" in mail.flags
    assert mail.request.needs_data_entry and not mail.request.person_records.exists()
    batch = ImportBatch.objects.get()
    assert (batch.rows, batch.imported) == (1, 1)
