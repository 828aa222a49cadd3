"""The IDOR matrix over referrals: whoever may not see a referral gets nothing, every way in."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from haven.intake.tests.api_helpers import issue_token
from haven.referrals.models import Referral
from haven.referrals.services import referral_withdraw

from .factories import partner_directory
from .helpers import send

pytestmark = pytest.mark.django_db


def _code_from_mail() -> str:
    message = next(m for m in mail.outbox if "code" in m.subject)
    return message.body.split(" is ")[1].split(".")[0]


def _link_from_mail() -> str:
    message = next(m for m in mail.outbox if "code" not in m.subject)
    return next(line for line in message.body.splitlines() if "/referrals/shared/" in line).split(
        "8000"
    )[1]


def _web_attempts(client: Client, referral: Referral) -> list[int]:
    detail = reverse("referrals:workspace_detail", args=[referral.pk])
    return [
        client.get(detail).status_code,
        client.post(
            reverse("referrals:workspace_status", args=[referral.pk]), {"status": "accepted"}
        ).status_code,
        client.post(
            reverse("referrals:workspace_message", args=[referral.pk]), {"body": "hi"}
        ).status_code,
    ]


def _api_attempts(token: str, referral: Referral) -> list[int]:
    auth = {"Authorization": f"Bearer {token}"}
    client = Client()
    return [
        client.get(f"/api/v1/referrals/{referral.pk}", headers=auth).status_code,
        client.post(
            f"/api/v1/referrals/{referral.pk}/status",
            data={"status": "accepted"},
            content_type="application/json",
            headers=auth,
        ).status_code,
    ]


def test_partner_b_and_everyone_after_withdrawal_get_404s(
    client_for,
    caseworker,
    partner_a,
    partner_b,
    partner_org_a,
    partner_org_b,
    service_a,
    consented_case,
):
    referral = send(consented_case, caseworker, partner_org_a, service_a)
    outcomes = _web_attempts(client_for(partner_b), referral) + _api_attempts(
        issue_token(partner_org_b), referral
    )
    referral_withdraw(referral=referral, actor=caseworker, reason="Sent in error")
    outcomes += _web_attempts(client_for(partner_a), referral) + _api_attempts(
        issue_token(partner_org_a), referral
    )

    assert outcomes == [404] * len(outcomes)
    referral.refresh_from_db()
    assert referral.status == "withdrawn" and not referral.messages.exists()
    assert (
        client_for(partner_a).get(reverse("referrals:workspace")).text.count(referral.reference)
        == 0
    )


def test_a_draft_is_not_visible_to_the_partner(
    client_for, caseworker, partner_a, partner_org_a, service_a, consented_case
):
    draft = send(consented_case, caseworker, partner_org_a, service_a, send=False)
    assert _web_attempts(client_for(partner_a), draft) == [404, 404, 404]


def test_off_haven_links_refuse_every_wrong_case_alike(
    caseworker, partner_org_b, consented_case, settings, django_capture_on_commit_callbacks
):
    settings.HAVEN_REFERRAL_LINK_ATTEMPTS = 100
    service = partner_directory(
        partner_org_b,
        kind="legal_aid",
        delivery="off_haven",
        contact_email="intake@safe-passage.example",
        code_email="codes@safe-passage.example",
    )
    with django_capture_on_commit_callbacks(execute=True):
        referral = send(consented_case, caseworker, partner_org_b, service)
    path, code = _link_from_mail(), _code_from_mail()
    wrong = "00000000" if code != "00000000" else "11111111"
    successes = 0
    answers = set()

    for attempt in (wrong, code[:-1], ""):  # wrong codes
        response = Client().post(path, {"secret": attempt})
        successes += response.status_code == 302
        answers.add(response.status_code)
    tampered = path.replace("/shared/", "/shared/x")
    response = Client().post(tampered, {"secret": code})
    successes += response.status_code == 302
    answers.add(response.status_code)

    # The right code works once, then never again.
    first = Client()
    assert first.post(path, {"secret": code}).status_code == 302
    assert first.get(path).status_code == 200
    successes += Client().post(path, {"secret": code}).status_code == 302

    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=15)):
        successes += Client().post(path, {"secret": code}).status_code == 302
        assert first.get(path).status_code == 200 and "One-time code" in first.get(path).text

    referral_withdraw(referral=referral, actor=caseworker, reason="Sent in error")
    assert "One-time code" in first.get(path).text  # the opened browser loses it at once
    successes += (
        first.post(
            reverse("referrals:shared_status", args=[path.split("/")[3]]), {"status": "accepted"}
        ).status_code
        == 302
    )

    assert successes == 0
    assert answers == {200}
    referral.refresh_from_db()
    assert referral.status == "withdrawn"
