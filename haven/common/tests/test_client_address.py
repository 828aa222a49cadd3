"""Behind a reverse proxy, every address Haven reads is the client's (issue 11, item 19)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client, RequestFactory
from django.urls import reverse

from haven.audit.models import AuditEvent
from haven.common.client import client_address

pytestmark = pytest.mark.django_db
PROXY = "10.0.0.2"
ROOT = Path(__file__).resolve().parents[3]


def _request(remote: str = PROXY, forwarded: str | None = None):
    extra: dict[str, Any] = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_trusted_proxies_x_forwarded_for_is_ignored(settings):
    settings.HAVEN_TRUSTED_PROXY_COUNT = 0
    assert client_address(_request("198.51.100.7", "203.0.113.1")) == "198.51.100.7"


@pytest.mark.parametrize(
    ("count", "forwarded", "client"),
    [
        (1, "203.0.113.1", "203.0.113.1"),
        # A client that sends its own X-Forwarded-For cannot choose its address.
        (1, "6.6.6.6, 203.0.113.1", "203.0.113.1"),
        (2, "6.6.6.6, 203.0.113.1, 10.0.0.1", "203.0.113.1"),
        # Fewer hops than proxies configured: the leftmost.
        (2, "203.0.113.1", "203.0.113.1"),
        (1, "", PROXY),
        (1, "not-an-address", None),
        (1, " 2001:DB8::1 ", "2001:db8::1"),
    ],
)
def test_trusted_proxies_give_the_client_s_address(settings, count, forwarded, client):
    settings.HAVEN_TRUSTED_PROXY_COUNT = count
    assert client_address(_request(PROXY, forwarded)) == client


def test_the_audit_trail_records_the_client_behind_the_proxy(settings, client_for, caseworker):
    settings.HAVEN_TRUSTED_PROXY_COUNT = 1
    client_for(caseworker).post(
        reverse("accounts:logout"), REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.44"
    )
    assert AuditEvent.objects.get(action="logout").ip_address == "203.0.113.44"


def test_status_look_ups_are_limited_per_client_not_per_proxy(settings):
    settings.HAVEN_TRUSTED_PROXY_COUNT = 1
    settings.HAVEN_STATUS_LOOKUP_LIMIT = 3
    cache.clear()

    def look_up(client_ip: str) -> int:
        return (
            Client()
            .post(
                "/status/",
                {"receipt_number": "HV-00000-00000", "secret": "guess"},
                REMOTE_ADDR=PROXY,
                HTTP_X_FORWARDED_FOR=client_ip,
            )
            .status_code
        )

    assert [look_up("203.0.113.1") for _ in range(4)] == [200, 200, 200, 429]
    # Another applicant behind the same proxy has a count of their own.
    assert look_up("203.0.113.2") == 200


def test_axes_locks_the_client_behind_the_proxy_not_everyone(settings, caseworker):
    from haven.conftest import PASSWORD

    settings.HAVEN_TRUSTED_PROXY_COUNT = 1
    settings.AXES_FAILURE_LIMIT = 3
    settings.HAVEN_LOGIN_DELAY_AFTER_FAILURES = 100  # only axes here
    url = reverse("accounts:login")

    def attempt(client_ip: str, password: str) -> int:
        return (
            Client()
            .post(
                url,
                {"username": "caseworker", "password": password},
                REMOTE_ADDR=PROXY,
                HTTP_X_FORWARDED_FOR=client_ip,
            )
            .status_code
        )

    for _ in range(3):
        attempt("203.0.113.66", "wrong")
    assert attempt("203.0.113.66", PASSWORD) == 429
    assert attempt("203.0.113.10", PASSWORD) == 302  # staff elsewhere still log in


def test_the_default_cache_is_the_database_so_every_process_counts_together(tmp_path):
    # Two processes, as two gunicorn workers would be, share one count.
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("HAVEN_", "DJANGO_"))},
        "DJANGO_SETTINGS_MODULE": "haven.config.settings",
        "HAVEN_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'shared.sqlite3'}",
    }
    lookups = (
        "import django; django.setup();"
        "from django.conf import settings; from django.core.cache import cache;"
        "from haven.intake.public.ratelimit import status_lookup_allowed;"
        "assert settings.CACHES['default']['BACKEND'].endswith('DatabaseCache');"
        "print(sum(status_lookup_allowed(address='203.0.113.9') for _ in range(6)))"
    )

    def run(code: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", code],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    run(
        "import django; django.setup(); from django.core.management import call_command;"
        "call_command('createcachetable')"
    )
    # The limit is 10 per window: the first process gets 6, the second only 4 more.
    assert [run(lookups), run(lookups)] == ["6", "4"]
