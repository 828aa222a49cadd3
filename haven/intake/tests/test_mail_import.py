"""`haven import-mail`: .eml, mbox and Maildir; subjects parsed; originals kept; no message twice."""

from __future__ import annotations

import io
import json
import mailbox
import os
import subprocess
import sys
from email.message import EmailMessage
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from haven.common.browser_testing import database_copy
from haven.intake.importing.mail import parse_subject, raw_bytes
from haven.intake.models import ImportBatch, MailMessage, Request

pytestmark = pytest.mark.django_db

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer\n%%EOF\n"


def message(
    subject: str,
    body: str,
    *,
    message_id: str | None = "<m1@example.org>",
    attachments: tuple[tuple[str, str, bytes], ...] = (),
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "Sponsor Name <sponsor@example.org>"
    msg["To"] = "siv-desk@example.org"
    msg["Subject"] = subject
    msg["Date"] = "Tue, 24 Aug 2021 09:30:00 +0430"
    if message_id:
        msg["Message-ID"] = message_id
    msg.set_content(body)
    for filename, content_type, data in attachments:
        maintype, subtype = content_type.split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return msg


def run(path: Path) -> dict[str, int]:
    out = io.StringIO()
    call_command("import_mail", str(path), "--json", stdout=out, stderr=io.StringIO())
    return json.loads(out.getvalue().strip().splitlines()[-1])


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Mohammad Zaman Ahmadzai 12/04/1988", ("Mohammad Zaman Ahmadzai", "12/04/1988")),
        ("RE: Fwd: Gul Ahmad - 1365", ("Gul Ahmad", "1365")),
        ("زبیح‌الله ۱۳۶۵/۰۴/۱۲", ("زبیح‌الله", "1365/04/12")),
        ("Urgent help needed", ("", "")),
        ("1988", ("", "")),
    ],
)
def test_subject_convention_name_then_date_of_birth(subject, expected):
    assert parse_subject(subject) == expected


def test_an_eml_becomes_a_parsed_request_with_the_original_kept(tmp_path):
    msg = message(
        "Mohammad Zaman Ahmadzai 12/04/1988",
        "Please help my brother.\nFather's name: Gul Ahmad\nPhone: 0700 123 456\n",
        attachments=(("tazkira.pdf", "application/pdf", PDF), ("photo.jpg", "image/jpeg", EXE)),
    )
    path = tmp_path / "one.eml"
    path.write_bytes(msg.as_bytes())
    assert run(path) == {"messages": 1, "imported": 1, "rejected": 0, "skipped": 0}
    request = Request.objects.get()
    assert request.channel == "email" and not request.needs_data_entry
    assert request.raw_content_type == "message/rfc822"
    assert raw_bytes(request.raw_input, request.raw_content_type) == msg.as_bytes()
    assert request.received_at.isoformat() == "2021-08-24T05:00:00+00:00"
    person = request.person_records.get()
    assert (person.full_name, person.father_name, str(person.dob)) == (
        "Mohammad Zaman Ahmadzai",
        "Gul Ahmad",
        "1988-04-12",
    )
    assert person.identifiers.get(kind="phone").normalized == "+93700123456"
    # The sender's address, writing for one family, is evidence for matching.
    assert person.identifiers.get(kind="email").normalized == "sponsor@example.org"
    stored = MailMessage.objects.get()
    assert stored.sender == "Sponsor Name <sponsor@example.org>"
    attachments = {a.filename: a for a in stored.attachments.all()}
    assert attachments["tazkira.pdf"].detected_type == "application/pdf"
    assert not attachments["tazkira.pdf"].type_mismatch
    # A program dressed as a photo is seen for what it is.
    assert attachments["photo.jpg"].detected_type == "application/x-msdownload"
    assert attachments["photo.jpg"].type_mismatch
    assert {"attachment_type_mismatch", "attachment_executable"} <= set(stored.flags)


def test_mbox_and_maildir_are_read_and_no_message_id_is_imported_twice(tmp_path):
    mbox = mailbox.mbox(tmp_path / "inbox.mbox")
    mbox.add(message("Gul Ahmad 1365", "help", message_id="<a@x>"))
    mbox.add(message("Urgent help needed", "no details at all", message_id="<b@x>"))
    mbox.add(message("Nazifa 2001", "no id", message_id=None))
    mbox.flush()
    assert run(tmp_path / "inbox.mbox") == {
        "messages": 3,
        "imported": 3,
        "rejected": 0,
        "skipped": 0,
    }
    # The subject is encrypted at rest: found by reading, not by the database.
    (unparsed,) = [
        r
        for r in Request.objects.filter(channel="email").select_related("mail_message")
        if r.mail_message.subject == "Urgent help needed"
    ]
    assert unparsed.needs_data_entry and "subject_unparsed" in unparsed.mail_message.flags

    maildir = mailbox.Maildir(tmp_path / "Maildir")
    maildir.add(message("Gul Ahmad 1365", "the same message again", message_id="<a@x>"))
    maildir.add(message("Fatima 1990", "new", message_id="<c@x>"))
    assert run(tmp_path / "Maildir") == {"messages": 2, "imported": 1, "rejected": 0, "skipped": 1}
    # The whole mbox again, the message without an id included: nothing new.
    assert run(tmp_path / "inbox.mbox") == {
        "messages": 3,
        "imported": 0,
        "rejected": 0,
        "skipped": 3,
    }
    assert Request.objects.filter(channel="email").count() == 4


def test_a_message_that_is_not_utf8_is_kept_byte_for_byte(tmp_path):
    raw = (
        b"From: a@example.org\r\nSubject: Ahmad 1988\r\nMessage-ID: <latin@x>\r\n"
        b"Content-Type: text/plain; charset=windows-1256\r\n\r\n\xc7\xe1\xd3\xe1\xc7\xe3 help\r\n"
    )
    (tmp_path / "m.eml").write_bytes(raw)
    run(tmp_path / "m.eml")
    request = Request.objects.get()
    assert request.raw_content_type == "message/rfc822; encoding=base64"
    assert raw_bytes(request.raw_input, request.raw_content_type) == raw
    assert "السلام" in request.help_requested


def test_an_empty_message_is_rejected_with_a_reason(tmp_path):
    maildir = mailbox.Maildir(tmp_path / "Maildir")
    maildir.add(b"")
    assert run(tmp_path / "Maildir") == {"messages": 1, "imported": 0, "rejected": 1, "skipped": 0}
    assert ImportBatch.objects.get().rejected_rows.get().reason == "empty"


def test_staff_view_the_original_escaped_and_others_may_not(
    tmp_path, client_for, intake_officer, partner_a
):
    msg = message(
        "Ahmad 1988",
        "<script>alert('x')</script> please",
        attachments=(("a.pdf", "application/pdf", PDF),),
    )
    (tmp_path / "m.eml").write_bytes(msg.as_bytes())
    run(tmp_path / "m.eml")
    receipt = Request.objects.get().receipt_number
    url = reverse("importing:original", args=[receipt])
    page = client_for(intake_officer).get(url).content.decode()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "<script>alert" not in page
    assert "a.pdf" in page and "application/pdf" in page
    download = client_for(intake_officer).get(
        reverse("importing:original_download", args=[receipt])
    )
    assert download.content == msg.as_bytes()
    assert client_for(partner_a).get(url).status_code == 403


def test_the_haven_command_imports_mail_and_a_list_in_a_fresh_database(tmp_path, migrated_database):
    """Through the installed `haven` entry point, as an operator types it (hyphen included),
    on a database just migrated (a copy of the session's: haven/conftest.py)."""
    haven = Path(sys.executable).with_name("haven")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(HAVEN_VAR_DIR=str(tmp_path / "var"), DJANGO_SETTINGS_MODULE="haven.config.settings")
    database_copy(migrated_database, tmp_path / "var")
    (tmp_path / "m.eml").write_bytes(message("Gul Ahmad 1365", "help").as_bytes())
    mail = subprocess.run(
        [str(haven), "import-mail", str(tmp_path / "m.eml"), "--json"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert json.loads(mail.stdout.strip().splitlines()[-1]) == {
        "messages": 1,
        "imported": 1,
        "rejected": 0,
        "skipped": 0,
    }
    (tmp_path / "l.csv").write_text("Name,DOB\nAhmad,1988\n,\nAhmad,1988\n", encoding="utf-8")
    sheet = subprocess.run(
        [
            str(haven),
            "import",
            str(tmp_path / "l.csv"),
            "--source",
            "IOM",
            "--create-source",
            "--yes",
            "--json",
        ],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert json.loads(sheet.stdout.strip().splitlines()[-1]) == {
        "rows": 3,
        "imported": 1,
        "rejected": 1,
        "skipped": 1,
    }
    assert "Traceback" not in sheet.stderr


def test_a_message_the_parser_chokes_on_is_still_stored_for_data_entry(tmp_path, monkeypatch):
    from haven.intake.importing import mailimport

    def choke(item):
        raise ValueError("malformed MIME")

    monkeypatch.setattr(mailimport, "parse_message", choke)
    raw = message("Ahmad 1988", "body").as_bytes()
    (tmp_path / "m.eml").write_bytes(raw)
    assert run(tmp_path / "m.eml") == {"messages": 1, "imported": 1, "rejected": 0, "skipped": 0}
    request = Request.objects.get()
    assert request.needs_data_entry
    assert raw_bytes(request.raw_input, request.raw_content_type) == raw
    assert request.mail_message.flags == ["message_unparsed"]
    # Imported again: the same bytes, so the same key, so skipped.
    assert run(tmp_path / "m.eml")["skipped"] == 1
