"""Partners not on Haven: the e-mails, the code, the passphrase, the encrypted download."""

from __future__ import annotations

import io
import json

import pytest
import pyzipper
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.test import Client
from django.urls import reverse

from haven.audit.models import AuditEvent
from haven.referrals.models import ReferralLink, SharingAgreement

from .factories import partner_directory
from .helpers import send

pytestmark = pytest.mark.django_db


@pytest.fixture
def off_haven_referral(
    caseworker, partner_org_b, consented_case, django_capture_on_commit_callbacks
):
    service = partner_directory(
        partner_org_b,
        kind="legal_aid",
        delivery="off_haven",
        contact_email="intake@safe-passage.example",
        code_email="codes@safe-passage.example",
    )
    with django_capture_on_commit_callbacks(execute=True):
        return send(consented_case, caseworker, partner_org_b, service)


def _path() -> str:
    body = next(m for m in mail.outbox if "code" not in m.subject).body
    return "/" + body.split("/", 3)[3].splitlines()[0]


def _code() -> str:
    return next(m for m in mail.outbox if "code" in m.subject).body.split(" is ")[1][:8]


def test_the_link_and_the_code_go_separately_and_carry_no_personal_data(off_haven_referral):
    assert len(mail.outbox) == 2
    link_mail = next(m for m in mail.outbox if "code" not in m.subject)
    code_mail = next(m for m in mail.outbox if "code" in m.subject)
    assert link_mail.to == ["intake@safe-passage.example"]
    assert code_mail.to == ["codes@safe-passage.example"]
    for message in mail.outbox:
        text = f"{message.subject}{message.body}"
        for personal in ("Mohammad", "Ahmadzai", "Fatima", "+93", "Peshawar"):
            assert personal not in text
    assert _code() not in link_mail.body


def test_the_code_opens_the_snapshot_and_the_partner_accepts_and_completes(off_haven_referral):
    client = Client()
    path = _path()
    assert "Mohammad" not in client.get(path).text
    assert client.post(path, {"secret": _code()}).status_code == 302
    page = client.get(path)
    assert "Mohammad Zaman" in page.text

    token = path.split("/")[3]
    status = reverse("referrals:shared_status", args=[token])
    assert client.post(status, {"status": "accepted"}).status_code == 302
    assert (
        client.post(status, {"status": "completed", "outcome": "service_provided"}).status_code
        == 302
    )
    off_haven_referral.refresh_from_db()
    assert off_haven_referral.outcome == "service_provided"
    assert off_haven_referral.events.last().actor_label.startswith("off-Haven link")
    reads = AuditEvent.objects.filter(object_id=str(off_haven_referral.pk), action="view")
    assert reads.filter(details__through="off-Haven link").exists()


def test_the_directory_passphrase_opens_it_too(off_haven_referral, partner_org_b):
    SharingAgreement.objects.filter(organization=partner_org_b).update(
        passphrase_hash=make_password("blue river at dawn 1400")
    )
    client = Client()
    assert client.post(_path(), {"secret": "blue river at dawn 1400"}).status_code == 302
    assert "Mohammad Zaman" in client.get(_path()).text


def test_wrong_codes_are_rate_limited_with_the_same_answer(off_haven_referral, settings):
    settings.HAVEN_REFERRAL_LINK_ATTEMPTS = 3
    client = Client()
    answers = [client.post(_path(), {"secret": f"{n:08d}"}).status_code for n in range(3)]
    assert answers == [200, 200, 200]
    assert client.post(_path(), {"secret": _code()}).status_code == 429  # even the right one now
    denied = AuditEvent.objects.filter(object_type="referrals.referrallink", action="denied")
    assert denied.count() == 3


def test_the_snapshot_downloads_as_an_aes_zip_under_the_partners_password(off_haven_referral):
    client = Client()
    client.post(_path(), {"secret": _code()})
    token = _path().split("/")[3]
    response = client.post(
        reverse("referrals:shared_download", args=[token]), {"password": "a long file password"}
    )
    assert response["Content-Type"] == "application/zip"
    with pyzipper.AESZipFile(io.BytesIO(response.content)) as archive:
        name = archive.namelist()[0]
        with pytest.raises(RuntimeError):
            archive.read(name)  # no password, no data
        archive.setpassword(b"a long file password")
        body = json.loads(archive.read(name))
    assert body["people"][0]["given_name"] == "Mohammad Zaman"
    assert b"Mohammad" not in response.content


def test_withdrawing_revokes_the_link(off_haven_referral, caseworker):
    from haven.referrals.services import referral_withdraw

    referral_withdraw(referral=off_haven_referral, actor=caseworker, reason="Sent in error")
    assert ReferralLink.objects.get().revoked_at is not None
    assert Client().post(_path(), {"secret": _code()}).status_code == 200
