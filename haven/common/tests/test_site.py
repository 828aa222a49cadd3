"""Site-wide behaviour: health, error pages, languages, production settings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.db import DatabaseError
from django.urls import reverse

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[3]


def test_healthz_answers_200_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_answers_503_when_the_database_does_not(client):
    with mock.patch("haven.common.views.connection.cursor", side_effect=DatabaseError("down")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


def test_an_unknown_url_gets_the_404_page(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "Not found" in response.text


def test_a_bad_host_header_gets_the_400_page_not_a_500(client, settings):
    settings.ALLOWED_HOSTS = ["haven.example"]
    client.raise_request_exception = False
    response = client.get("/", headers={"host": "evil.example"})
    assert response.status_code == 400


def test_the_home_page_sends_anonymous_users_to_log_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")


@pytest.mark.parametrize(
    ("language", "direction"), [("fa-af", "rtl"), ("ps", "rtl"), ("en", "ltr")]
)
def test_pages_are_right_to_left_in_dari_and_pashto(client, language, direction):
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    response = client.get(reverse("accounts:login"))
    assert f'lang="{language}" dir="{direction}"' in response.text


def test_the_login_page_is_translated_into_dari(client):
    client.post(reverse("set_language"), {"language": "fa-af", "next": "/"})
    response = client.get(reverse("accounts:login"))
    assert "ورود" in response.text  # "Log in"


def test_deploy_check_is_clean_with_production_settings():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "haven.config.settings_production",
        "HAVEN_SECRET_KEY": "x" * 64 + "production-secret-for-check-only-!@#$%^&*()",
        "HAVEN_IDENTIFIER_HMAC_KEY": "production-hmac-key-for-check-only",
        # Production refuses the demo's Fernet key and the demo's mail (issue 11, 12 and 14).
        "HAVEN_IDENTIFIER_ENCRYPTION_KEYS": "cHJvZHVjdGlvbi1rZXktZm9yLWNoZWNrLW9ubHktMDA=",
        "HAVEN_EMAIL_BACKEND": "anymail.backends.test.EmailBackend",
        "HAVEN_ALLOWED_HOSTS": "haven.example.org",
        "HAVEN_VAR_DIR": "/tmp/haven-deploy-check",
        # Uploaded documents need a malware scanner in production (haven.E101 without one).
        "HAVEN_CLAMD_URL": "tcp://clamav.internal:3310",
    }
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "haven.cli", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_refuse_the_demo_secret():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "haven.config.settings_production"}
    env.pop("HAVEN_SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "-m", "haven.cli", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "HAVEN_SECRET_KEY" in result.stderr


def test_status_secrets_carry_at_least_128_bits_and_forgive_hand_copying():
    from haven.common import crypto

    secret = crypto.new_secret()
    assert len(secret.replace("-", "")) * 5 >= 128
    stored = crypto.hash_secret(secret)
    typed = secret.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    assert crypto.secret_matches(typed, stored)
    assert not crypto.secret_matches(crypto.new_secret(), stored)
