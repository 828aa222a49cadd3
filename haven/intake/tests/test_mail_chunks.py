"""E-mail import in chunks: a fixed number of statements per chunk, and the same result
when the parsing runs ahead in a second process."""

from __future__ import annotations

import mailbox
from email.message import EmailMessage
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from haven.cases.models import CaseRequest
from haven.intake.importing import mailimport
from haven.intake.importing.mail import open_mail
from haven.intake.importing.services import import_batch_create
from haven.intake.models import ImportBatch, MailMessage, PersonRecord

pytestmark = pytest.mark.django_db

GIVEN = ["Nilab", "Omid", "Laila", "Farid", "Zahra", "Karim", "Maryam", "Tariq", "Roya", "Wali"]
FAMILY = ["Sadiqi", "Ahmadzai", "Rahimi", "Noori", "Hakimi", "Stanikzai", "Popal", "Wardak"]


def _message(n: int) -> EmailMessage:
    # Everyone different (name, year, address): no message matches another, so each chunk
    # does the same work whatever its size.
    msg = EmailMessage()
    given, family = GIVEN[n % len(GIVEN)], FAMILY[n // len(GIVEN) % len(FAMILY)]
    msg["From"] = f"{given} <writer{n}@example.org>"
    msg["To"] = "siv-desk@example.org"
    msg["Subject"] = f"{given} {family} {1950 + n}"
    msg["Date"] = "Tue, 24 Aug 2021 09:30:00 +0430"
    msg["Message-ID"] = f"<chunk-{n}@example.org>"
    msg.set_content(f"Please help.\nFather's name: Sayed {FAMILY[n % len(FAMILY)]}\n")
    return msg


def _mbox(path: Path, numbers: range) -> Path:
    box = mailbox.mbox(path)
    for n in numbers:
        box.add(_message(n))
    box.flush()
    return path


def _chunk_queries(tmp_path: Path, numbers: range) -> int:
    _total, items = open_mail(_mbox(tmp_path / f"box-{numbers.start}.mbox", numbers))
    batch = import_batch_create(
        organization=None,
        kind=ImportBatch.Kind.EMAIL,
        file_name="box.mbox",
        file_sha256="",
        file_size=0,
        actor=None,
        file_format="mbox/eml",
        status=ImportBatch.Status.RUNNING,
    )
    with CaptureQueriesContext(connection) as queries:
        mailimport.mail_chunk_import(batch=batch, items=list(items), first_number=1, actor=None)
    return len(queries)


def test_a_chunk_takes_the_same_number_of_queries_whatever_its_size(tmp_path):
    # The first chunk of a process also reads what is cached after it (guidance, templates).
    _chunk_queries(tmp_path, range(0, 3))
    small = _chunk_queries(tmp_path, range(3, 8))
    large = _chunk_queries(tmp_path, range(8, 48))
    assert MailMessage.objects.count() == 48
    assert PersonRecord.objects.filter(request__channel="email").count() == 48
    assert CaseRequest.objects.count() == 48  # matched, given cases and triaged
    # Eight times the messages, no more statements (a query per message would add 35).
    # Not always equal on PostgreSQL: a chunk may reserve a block of ids the next one uses.
    assert large <= small
    # Pinned: a new statement per chunk is a choice, one per message is a regression.
    assert large <= 75


def test_parsing_ahead_in_a_second_process_gives_the_same_import(tmp_path, monkeypatch):
    monkeypatch.setattr(mailimport, "CHUNK_MESSAGES", 4)
    monkeypatch.setattr(mailimport, "PARSE_AHEAD_FROM", 0)
    path = _mbox(tmp_path / "inbox.mbox", range(0, 14))
    _batch, counts = mailimport.mail_import(path=path, actor=None, parse_ahead=True)
    assert (counts.rows, counts.imported, counts.rejected, counts.skipped) == (14, 14, 0, 0)
    assert sorted(MailMessage.objects.values_list("message_id", flat=True)) == sorted(
        f"<chunk-{n}@example.org>" for n in range(14)
    )
    assert CaseRequest.objects.count() == 14
    # Again, parsed ahead too: every message known by its Message-ID, nothing twice.
    _batch, again = mailimport.mail_import(path=path, actor=None, parse_ahead=True)
    assert (again.imported, again.skipped) == (0, 14)
    assert MailMessage.objects.count() == 14
