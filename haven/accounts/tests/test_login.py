from __future__ import annotations

import pytest
from django.urls import reverse

from haven.audit.models import AuditEvent
from haven.conftest import PASSWORD

pytestmark = pytest.mark.django_db
URL = reverse("accounts:login")


def test_it_logs_in_and_lands_on_the_case_list(client, caseworker):
    response = client.post(URL, {"username": "caseworker", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:list")
    assert AuditEvent.objects.filter(action="login", actor=caseworker).exists()


@pytest.mark.parametrize("username", ["caseworker", "nobody-by-this-name"])
def test_a_wrong_password_gets_the_same_generic_message(client, caseworker, username):
    response = client.post(URL, {"username": username, "password": "wrong"})
    assert response.status_code == 200
    assert "do not match an active account" in response.text
    # What was typed is kept, except the password.
    assert f'value="{username}"' in response.text
    assert "wrong" not in response.text
    event = AuditEvent.objects.get(action="login_failed")
    assert username in event.summary


def test_repeated_failures_lock_the_account_for_that_address(client, caseworker, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        client.post(URL, {"username": "caseworker", "password": "wrong"})
    response = client.post(URL, {"username": "caseworker", "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed log-ins" in response.text


def test_logging_out_is_audited(client_for, caseworker):
    client = client_for(caseworker)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="logout", actor=caseworker).exists()


def test_passwords_are_hashed_with_argon2_outside_tests(caseworker):
    from haven.config import settings as production_like

    assert production_like.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
