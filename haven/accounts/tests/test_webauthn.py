"""Security keys and passkeys (WebAuthn) through HTTP, with a software authenticator: enrolment
at the first log-in or beside the app, verification, and every forged answer refused."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from haven.accounts import two_factor
from haven.audit.models import AuditAction, AuditEvent
from haven.conftest import PASSWORD, verified_client

from .soft_authenticator import SoftAuthenticator

pytestmark = pytest.mark.django_db
VERIFY = reverse("accounts:two_factor_verify")
ENROL = reverse("accounts:two_factor_enrol")
CASES = reverse("cases:list")
REGISTER_OPTIONS = reverse("accounts:key_register_options")
REGISTER = reverse("accounts:key_register")
AUTH_OPTIONS = reverse("accounts:key_authenticate_options")
AUTHENTICATE = reverse("accounts:key_authenticate")


@pytest.fixture(autouse=True)
def _demo_relying_party(settings: Any) -> None:
    # The demo defaults, stated here so that a changed default does not change these tests.
    settings.HAVEN_WEBAUTHN_RP_ID = "localhost"
    settings.HAVEN_WEBAUTHN_ORIGINS = ["http://localhost:8000"]
    settings.HAVEN_WEBAUTHN_TIMEOUT_SECONDS = 180


def password_login(user: Any) -> Client:
    client = Client()
    response = client.post(
        reverse("accounts:login"), {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    return client


def post_json(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def register_key(client: Client, key: SoftAuthenticator, name: str = "Blue key", **kw: Any) -> Any:
    options = post_json(client, REGISTER_OPTIONS, {"name": name})
    assert options.status_code == 200, options.content
    answer = key.create(options.json()["publicKey"], **kw)
    return post_json(client, REGISTER, {"credential": answer, "name": name})


def key_options(client: Client, next_url: str = CASES) -> dict[str, Any]:
    response = post_json(client, AUTH_OPTIONS, {"next": next_url})
    assert response.status_code == 200, response.content
    return response.json()["publicKey"]


def use_key(client: Client, answer: dict[str, Any], next_url: str = CASES) -> Any:
    return post_json(client, AUTHENTICATE, {"credential": answer, "next": next_url})


def enrolled_with_key(user: Any) -> SoftAuthenticator:
    """A user whose first log-in enrolled a key (through the endpoints), then logged out."""
    key = SoftAuthenticator()
    client = password_login(user)
    assert register_key(client, key).status_code == 200
    client.post(reverse("accounts:logout"))
    return key


def test_a_first_log_in_enrols_a_key_instead_of_the_app(caseworker):
    client = password_login(caseworker)
    assert client.get(CASES)["Location"].startswith(VERIFY)
    page = client.get(ENROL, HTTP_HOST="localhost:8000")
    assert 'data-webauthn="register"' in page.text
    assert "js/webauthn.js" in page.text

    response = register_key(client, SoftAuthenticator(), name="Blue key")

    assert response.status_code == 200
    assert response.json() == {"redirect": reverse("accounts:two_factor_recovery_codes")}
    key = WebAuthnCredential.objects.get(user=caseworker)
    assert key.name == "Blue key" and key.confirmed
    # The first factor of the account brings recovery codes, shown once, and opens the desk.
    assert StaticToken.objects.filter(device__user=caseworker).count() == 10
    assert "recovery-codes" in client.get(reverse("accounts:two_factor_recovery_codes")).text
    assert client.get(CASES).status_code == 200
    event = AuditEvent.objects.get(actor=caseworker, details__second_factor="key_enrolled")
    assert event.details["device"] == key.persistent_id
    assert event.details["recovery_codes"] == 10


def test_a_later_log_in_verifies_with_the_key_and_the_middleware_lets_it_through(caseworker):
    key = enrolled_with_key(caseworker)
    client = password_login(caseworker)
    assert client.get(CASES)["Location"].startswith(VERIFY)
    page = client.get(VERIFY, HTTP_HOST="localhost:8000")
    assert 'data-webauthn="authenticate"' in page.text

    response = use_key(client, key.get(key_options(client)))

    assert response.status_code == 200
    assert response.json() == {"redirect": CASES}
    assert client.get(CASES).status_code == 200
    stored = WebAuthnCredential.objects.get(user=caseworker)
    assert stored.sign_count == 1 and stored.last_used_at is not None
    assert AuditEvent.objects.filter(
        actor=caseworker, action=AuditAction.LOGIN, details__second_factor="WebAuthnCredential"
    ).exists()


def test_a_replayed_answer_is_refused(caseworker):
    key = enrolled_with_key(caseworker)
    client = password_login(caseworker)
    answer = key.get(key_options(client))
    assert use_key(client, answer).status_code == 200

    thief = password_login(caseworker)
    # The same answer again: once with no challenge open, once against a fresh one.
    again = use_key(thief, answer)
    assert again.status_code == 400 and again.json()["error"]
    key_options(thief)
    again = use_key(thief, answer)
    assert again.status_code == 400
    assert thief.get(CASES)["Location"].startswith(VERIFY)
    refusals = AuditEvent.objects.filter(actor=caseworker, details__second_factor="key_failed")
    assert sorted(e.details["refusal"] for e in refusals) == ["invalid", "no_challenge"]


def test_a_challenge_is_used_once_even_when_the_answer_fails(caseworker):
    key = enrolled_with_key(caseworker)
    client = password_login(caseworker)
    options = key_options(client)
    assert use_key(client, key.get(options, origin="http://evil.example")).status_code == 400
    # The right answer to the same challenge comes too late: the challenge is gone.
    response = use_key(client, key.get(options))
    assert response.status_code == 400
    assert client.get(CASES)["Location"].startswith(VERIFY)


def test_a_challenge_expires(caseworker):
    key = enrolled_with_key(caseworker)
    start = dt.datetime.now(tz=dt.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        client = password_login(caseworker)
        options = key_options(client)
        traveller.shift(dt.timedelta(seconds=181))
        response = use_key(client, key.get(options))
    assert response.status_code == 400
    assert "too long" in response.json()["error"]
    assert AuditEvent.objects.filter(actor=caseworker, details__refusal="expired").exists()


def test_a_counter_that_goes_backwards_is_refused(caseworker):
    key = enrolled_with_key(caseworker)
    client = password_login(caseworker)
    assert use_key(client, key.get(key_options(client), sign_count=5)).status_code == 200

    copy = password_login(caseworker)
    response = use_key(copy, key.get(key_options(copy), sign_count=3))

    assert response.status_code == 400
    assert "counter" in response.json()["error"]
    assert WebAuthnCredential.objects.get(user=caseworker).sign_count == 5
    assert AuditEvent.objects.filter(actor=caseworker, details__refusal="sign_count").exists()


def test_a_key_of_another_user_is_refused(caseworker, supervisor):
    their_key = enrolled_with_key(supervisor)
    enrolled_with_key(caseworker)
    client = password_login(caseworker)

    response = use_key(client, their_key.get(key_options(client)))

    assert response.status_code == 400
    assert client.get(CASES)["Location"].startswith(VERIFY)
    event = AuditEvent.objects.get(actor=caseworker, details__second_factor="key_failed")
    assert event.details["other_account"] is True
    assert WebAuthnCredential.objects.get(user=supervisor).sign_count == 0


def test_an_answer_for_another_address_is_refused(caseworker):
    key = enrolled_with_key(caseworker)
    client = password_login(caseworker)

    response = use_key(client, key.get(key_options(client), origin="https://haven.evil.example"))

    assert response.status_code == 400
    assert "another address" in response.json()["error"]
    assert client.get(CASES)["Location"].startswith(VERIFY)
    assert AuditEvent.objects.filter(actor=caseworker, details__refusal="wrong_address").exists()


def test_a_key_registered_from_another_address_is_refused(caseworker):
    client = password_login(caseworker)
    response = register_key(client, SoftAuthenticator(), origin="https://haven.evil.example")
    assert response.status_code == 400
    assert not WebAuthnCredential.objects.filter(user=caseworker).exists()
    assert client.get(CASES)["Location"].startswith(VERIFY)
    assert AuditEvent.objects.filter(
        actor=caseworker, details__second_factor="key_enrolment_failed"
    ).exists()


def test_a_password_only_session_cannot_add_a_key_to_an_enrolled_account(caseworker):
    TOTPDevice.objects.create(user=caseworker, name=two_factor.TOTP_NAME, confirmed=True)
    client = password_login(caseworker)
    response = post_json(client, REGISTER_OPTIONS, {"name": "Attacker's key"})
    assert response.status_code == 403
    assert post_json(client, REGISTER, {"credential": {}}).status_code == 403
    assert not WebAuthnCredential.objects.exists()


def test_a_verified_session_adds_a_key_beside_the_app_without_new_recovery_codes(caseworker):
    client = verified_client(caseworker)
    two_factor.recovery_codes_issue(caseworker)
    before = set(StaticToken.objects.values_list("token", flat=True))

    response = register_key(client, SoftAuthenticator(), name="Office laptop")

    assert response.json() == {"redirect": ENROL}
    assert set(StaticToken.objects.values_list("token", flat=True)) == before
    page = client.get(ENROL)
    assert "Office laptop" in page.text
    assert "was added" in page.text


def test_the_same_key_is_not_registered_twice(caseworker):
    key = SoftAuthenticator()
    client = verified_client(caseworker)
    assert register_key(client, key).status_code == 200
    response = register_key(client, key, name="Again")
    assert response.status_code == 400
    assert WebAuthnCredential.objects.filter(user=caseworker).count() == 1


def test_a_key_needs_a_name(caseworker):
    client = password_login(caseworker)
    response = post_json(client, REGISTER_OPTIONS, {"name": "  "})
    assert response.status_code == 400
    assert "name" in response.json()["error"]
    response = post_json(client, REGISTER_OPTIONS, {"name": "x" * 65})
    assert response.status_code == 400


def test_keys_are_removed_but_never_the_last_way_to_log_in(caseworker):
    first = SoftAuthenticator()
    client = password_login(caseworker)
    register_key(client, first, name="Blue key")
    blue = WebAuthnCredential.objects.get(user=caseworker)

    response = client.post(reverse("accounts:key_remove", args=[blue.pk]), follow=True)
    assert WebAuthnCredential.objects.filter(pk=blue.pk).exists()
    assert "last key" in response.text

    register_key(client, SoftAuthenticator(), name="Green key")
    other_session = password_login(caseworker)
    assert use_key(other_session, first.get(key_options(other_session))).status_code == 200
    response = client.post(reverse("accounts:key_remove", args=[blue.pk]), follow=True)

    assert list(WebAuthnCredential.objects.values_list("name", flat=True)) == ["Green key"]
    assert "was removed" in response.text
    # This session stays verified; the other one, opened with the removed key, must verify again.
    assert client.get(CASES).status_code == 200
    assert other_session.get(CASES)["Location"].startswith(VERIFY)
    assert AuditEvent.objects.filter(
        actor=caseworker, details__second_factor="key_removed"
    ).exists()
    assert AuditEvent.objects.filter(
        actor=caseworker, details__second_factor="key_removal_refused"
    ).exists()


def test_nobody_removes_a_key_of_someone_else_nor_from_a_password_only_session(
    caseworker, supervisor
):
    enrolled_with_key(supervisor)
    theirs = WebAuthnCredential.objects.get(user=supervisor)
    verified_client(caseworker).post(reverse("accounts:key_remove", args=[theirs.pk]))
    own_password_only = password_login(supervisor)
    response = own_password_only.post(reverse("accounts:key_remove", args=[theirs.pk]))
    assert response["Location"] == VERIFY
    assert WebAuthnCredential.objects.filter(pk=theirs.pk).exists()


def test_a_supervisor_reset_removes_keys_and_ends_verified_sessions(caseworker, supervisor):
    key = enrolled_with_key(caseworker)
    client = password_login(caseworker)
    assert use_key(client, key.get(key_options(client))).status_code == 200

    response = verified_client(supervisor).post(
        reverse("accounts:admin_user_factors_reset", args=[caseworker.pk]),
        {"factors-reason": "lost the key at the checkpoint"},
    )

    assert response.status_code == 302
    assert not WebAuthnCredential.objects.filter(user=caseworker).exists()
    assert client.get(CASES)["Location"].startswith(VERIFY)
    event = AuditEvent.objects.get(actor=supervisor, details__second_factor="reset")
    assert "Blue key" in event.details["removed"]
    # Back to enrolment at the next step, as after a lost phone.
    assert client.get(VERIFY)["Location"] == ENROL


def test_the_verify_page_offers_the_key_only_to_accounts_with_one(caseworker, supervisor):
    enrolled_with_key(caseworker)
    TOTPDevice.objects.create(user=supervisor, name=two_factor.TOTP_NAME, confirmed=True)
    with_key = password_login(caseworker).get(VERIFY, HTTP_HOST="localhost:8000").text
    assert 'data-webauthn="authenticate"' in with_key
    assert "recovery codes" in with_key
    without = password_login(supervisor).get(VERIFY, HTTP_HOST="localhost:8000").text
    assert "data-webauthn" not in without and "webauthn.js" not in without


def test_an_address_keys_cannot_work_at_says_where_they_do(caseworker):
    page = password_login(caseworker).get(ENROL, HTTP_HOST="127.0.0.1:8000").text
    assert "data-webauthn" not in page
    assert "http://localhost:8000" in page


def test_what_the_script_cannot_read_gets_a_clear_error(caseworker, client):
    anonymous = post_json(client, AUTH_OPTIONS, {})
    assert anonymous.status_code == 401 and anonymous.json()["error"]
    logged_in = password_login(caseworker)
    broken = logged_in.post(AUTHENTICATE, "{not json", content_type="application/json")
    assert broken.status_code == 400 and broken.json()["error"]
    enrolled_with_key(caseworker)
    logged_in = password_login(caseworker)
    key_options(logged_in)
    garbage = use_key(logged_in, {"id": "x", "rawId": "x", "response": {}, "type": "public-key"})
    assert garbage.status_code == 400 and garbage.json()["error"]
    without_script = logged_in.post(reverse("accounts:key_add_without_script"), follow=True)
    assert "needs JavaScript" in without_script.text


def test_the_system_check_refuses_an_ip_address_or_an_origin_elsewhere(settings):
    from haven.accounts.security_keys import check_relying_party

    assert check_relying_party() == []
    settings.HAVEN_WEBAUTHN_RP_ID = "127.0.0.1"
    assert [e.id for e in check_relying_party()] == ["haven.accounts.E010", "haven.accounts.E011"]
    settings.HAVEN_WEBAUTHN_RP_ID = "haven.example.org"
    settings.HAVEN_WEBAUTHN_ORIGINS = [
        "https://haven.example.org",
        "https://desk.haven.example.org",
    ]
    assert check_relying_party() == []
    settings.HAVEN_WEBAUTHN_ORIGINS = ["https://haven.example.org.evil.example"]
    assert [e.id for e in check_relying_party()] == ["haven.accounts.E011"]


def test_the_staff_page_counts_a_persons_keys(caseworker, supervisor):
    enrolled_with_key(caseworker)
    detail = verified_client(supervisor).get(reverse("accounts:admin_user", args=[caseworker.pk]))
    assert "1 security key" in detail.text
    assert "not set up" not in detail.text
    listing = verified_client(supervisor).get(reverse("accounts:admin_users"))
    row = listing.text.split(caseworker.username, 1)[1].split("</tr>", 1)[0]
    assert "not set up" not in row
