"""Enforced two-factor: enrolment at the first log-in, codes usable once, wrong codes throttled."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from haven.accounts import two_factor
from haven.audit.models import AuditEvent
from haven.conftest import PASSWORD

pytestmark = pytest.mark.django_db
VERIFY = reverse("accounts:two_factor_verify")
ENROL = reverse("accounts:two_factor_enrol")
CASES = reverse("cases:list")
START = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


def code_for(device: TOTPDevice, at: dt.datetime) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = at.timestamp()
    return f"{totp.token():06d}"


def password_login(user) -> Client:
    client = Client()
    response = client.post(
        reverse("accounts:login"), {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    return client


def enrolled(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def test_the_first_log_in_forces_enrolment_with_a_qr_code_drawn_on_the_server(caseworker):
    client = password_login(caseworker)
    response = client.get(CASES)
    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY)
    response = client.get(response["Location"])
    assert response["Location"] == ENROL
    page = client.get(ENROL)
    assert page.status_code == 200
    assert "<svg" in page.text  # the QR code, inline
    assert "http" not in page.text.split("<svg", 1)[1].split("</svg>", 1)[0].replace(
        "http://www.w3.org", ""
    )
    assert page.context["secret"]


def test_enrolment_confirms_the_app_shows_recovery_codes_once_and_opens_the_desk(caseworker):
    with time_machine.travel(START, tick=False):
        client = password_login(caseworker)
        client.get(ENROL)
        device = TOTPDevice.objects.get(user=caseworker, confirmed=False)
        response = client.post(ENROL, {"code": code_for(device, START)})
        assert response["Location"] == reverse("accounts:two_factor_recovery_codes")
        device.refresh_from_db()
        assert device.confirmed
        shown = client.get(response["Location"])
        codes = re.findall(r"<li>([a-z0-9]{5}-[a-z0-9]{5})</li>", shown.text)
        assert len(codes) == 10
        assert StaticToken.objects.filter(device__user=caseworker).count() == 10
        # Shown once: a reload shows how many are left, not the codes.
        again = client.get(reverse("accounts:two_factor_recovery_codes"))
        assert codes[0] not in again.text
        assert client.get(CASES).status_code == 200
    assert AuditEvent.objects.filter(actor=caseworker, details__second_factor="enrolled").exists()


def test_a_wrong_enrolment_code_keeps_the_user_on_the_page(caseworker):
    client = password_login(caseworker)
    client.get(ENROL)
    response = client.post(ENROL, {"code": "000000"})
    assert response.status_code == 200
    assert "not right" in response.text
    assert not TOTPDevice.objects.filter(user=caseworker, confirmed=True).exists()
    assert client.get(CASES).status_code == 302


def test_a_totp_code_opens_the_session_and_is_refused_when_replayed(caseworker):
    device = enrolled(caseworker)
    with time_machine.travel(START, tick=False):
        code = code_for(device, START)
        first = password_login(caseworker)
        response = first.post(VERIFY, {"code": code, "next": CASES})
        assert response["Location"] == CASES
        assert first.get(CASES).status_code == 200
    # Someone who saw the code (over a shoulder, a phishing page) tries it moments later, in
    # the same 30-second step: refused.
    with time_machine.travel(START + dt.timedelta(seconds=5), tick=False):
        second = password_login(caseworker)
        replay = second.post(VERIFY, {"code": code, "next": CASES})
        assert replay.status_code == 200
        assert "already used" in replay.text
        assert second.get(CASES).status_code == 302
    # The next step's code works.
    later = START + dt.timedelta(seconds=65)
    with time_machine.travel(later, tick=False):
        third = password_login(caseworker)
        ok = third.post(VERIFY, {"code": code_for(device, later), "next": CASES})
        assert ok["Location"] == CASES


def test_twenty_wrong_codes_are_throttled_and_then_even_the_right_code_waits(caseworker):
    device = enrolled(caseworker)
    client = password_login(caseworker)
    now = START
    wrong = "000000" if code_for(device, START) != "000000" else "111111"
    with time_machine.travel(now, tick=False) as traveller:
        for attempt in range(20):
            response = client.post(VERIFY, {"code": wrong})
            assert response.status_code in (200, 429)
            # Wait out the back-off so that every one of the 20 is really tried.
            traveller.shift(dt.timedelta(seconds=2**attempt + 1))
            now += dt.timedelta(seconds=2**attempt + 1)
        device.refresh_from_db()
        assert device.throttling_failure_count == 20
        # The right code now, straight after the 20th failure: still refused.
        traveller.move_to(device.throttling_failure_timestamp + dt.timedelta(seconds=1))
        moment = device.throttling_failure_timestamp + dt.timedelta(seconds=1)
        response = client.post(VERIFY, {"code": code_for(device, moment)})
    assert response.status_code == 429
    assert "Too many wrong codes" in response.text
    assert client.get(CASES).status_code == 302
    assert AuditEvent.objects.filter(actor=caseworker, details__second_factor="throttled").exists()
    assert (
        AuditEvent.objects.filter(actor=caseworker, details__second_factor="wrong_code").count()
        == 20
    )


def test_quick_guesses_are_held_back_without_being_checked(caseworker):
    device = enrolled(caseworker)
    client = password_login(caseworker)
    with time_machine.travel(START, tick=False):
        client.post(VERIFY, {"code": "12345x"})
        right = code_for(device, START)
        response = client.post(VERIFY, {"code": right})
    # The second try came within the back-off: refused, even though it was right.
    assert response.status_code == 429


def test_a_recovery_code_works_once(caseworker):
    enrolled(caseworker)
    codes = two_factor.recovery_codes_regenerate(user=caseworker)
    client = password_login(caseworker)
    response = client.post(VERIFY, {"code": codes[0].upper(), "next": CASES})
    assert response["Location"] == CASES
    assert StaticToken.objects.filter(device__user=caseworker).count() == 9
    with time_machine.travel(dt.datetime.now(tz=dt.UTC) + dt.timedelta(seconds=10)):
        other = password_login(caseworker)
        assert other.post(VERIFY, {"code": codes[0]}).status_code == 200
        assert other.get(CASES).status_code == 302


def test_a_supervisor_resets_factors_and_open_sessions_lose_verification(
    client_for, caseworker, supervisor
):
    session = client_for(caseworker)
    assert session.get(CASES).status_code == 200
    two_factor.second_factor_reset(user=caseworker, actor=supervisor, reason="lost phone")
    response = session.get(CASES)
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=caseworker).exists()
    event = AuditEvent.objects.get(details__second_factor="reset")
    assert event.actor == supervisor
    assert event.details["reason"] == "lost phone"


def test_an_htmx_request_from_an_unverified_session_is_sent_to_the_whole_page(caseworker):
    client = Client()
    client.force_login(caseworker)
    response = client.get(CASES, headers={"HX-Request": "true"})
    assert response.status_code == 302
    assert response["HX-Redirect"].startswith(VERIFY)


def test_next_never_leaves_the_site(caseworker):
    device = enrolled(caseworker)
    client = password_login(caseworker)
    with time_machine.travel(START, tick=False):
        response = client.post(
            VERIFY, {"code": code_for(device, START), "next": "https://evil.example/"}
        )
    assert response["Location"] == "/"
