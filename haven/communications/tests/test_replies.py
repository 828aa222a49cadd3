from __future__ import annotations

from email.message import EmailMessage as RawEmail
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse

from haven.cases.models import Case
from haven.cases.signals import public_status_changed
from haven.communications.models import InboundMessage
from haven.communications.outbox import outbox_deliver
from haven.intake.importing.mailimport import mail_import
from haven.intake.models import Request

from .helpers import make_requester

pytestmark = pytest.mark.django_db


def _sent_mail(request):
    case = Case.objects.get(case_requests__request=request)
    public_status_changed.send(
        sender=Case, case=case, changes=[(request, "received", "under_review")], actor=None
    )
    outbox_deliver()
    return mail.outbox[-1], case


def _reply(tmp_path: Path, name: str, **headers: str) -> Path:
    message = RawEmail()
    message["From"] = "Ahmad <reply@example.org>"
    message["To"] = "haven@localhost"
    message["Subject"] = "Re: your request"
    for key, value in headers.items():
        message[key.replace("_", "-")] = value
    message.set_content("سلام، مدارک را فردا می‌آورم.")
    path = tmp_path / name
    path.write_bytes(bytes(message))
    return path


def test_an_email_reply_reaches_its_request_and_appears_on_the_case(
    tmp_path, client_for, caseworker, settings
) -> None:
    settings.HAVEN_REPLY_TO_ADDRESS = "replies@haven.example.org"
    request = make_requester(email="reply@example.org")
    sent, case = _sent_mail(request)
    assert sent.extra_headers["Reply-To"].startswith(f"replies+haven-r{request.pk}-")
    before = Request.objects.count()
    path = _reply(
        tmp_path,
        "reply.eml",
        In_Reply_To=sent.extra_headers["Message-ID"],
        Message_ID="<reply-1@example.org>",
    )
    mail_import(path=path, actor=None)
    mail_import(path=path, actor=None)  # imported twice: kept once
    assert Request.objects.count() == before  # not a new request
    reply = InboundMessage.objects.get()
    assert reply.request == request and reply.channel == "email"
    page = client_for(caseworker).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "مدارک را فردا می‌آورم" in page


def test_a_reply_to_the_plus_address_is_recognised(tmp_path, settings) -> None:
    settings.HAVEN_REPLY_TO_ADDRESS = "replies@haven.example.org"
    request = make_requester(email="reply@example.org")
    sent, _case = _sent_mail(request)
    path = _reply(tmp_path, "plus.eml", Message_ID="<reply-2@example.org>")
    raw = path.read_bytes().replace(
        b"To: haven@localhost", f"To: {sent.extra_headers['Reply-To']}".encode()
    )
    path.write_bytes(raw)
    mail_import(path=path, actor=None)
    assert InboundMessage.objects.get().request == request


def test_a_forged_token_makes_an_ordinary_new_request(tmp_path) -> None:
    request = make_requester(email="reply@example.org")
    before = Request.objects.count()
    forged = f"<x.haven-r{request.pk}-0000000000000000@haven.localhost>"
    mail_import(
        path=_reply(tmp_path, "forged.eml", In_Reply_To=forged, Message_ID="<r3@x>"), actor=None
    )
    assert InboundMessage.objects.count() == 0
    assert Request.objects.count() == before + 1
