"""Sessions end when idle and at a fixed time after log-in (issue 11, item 22)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from haven.audit.models import AuditEvent

pytestmark = pytest.mark.django_db
START = dt.datetime(2026, 12, 2, 8, 0, tzinfo=dt.UTC)
PAGE = reverse("cases:list")
LOGIN = reverse("accounts:login")


def _minutes(clock, minutes: float) -> None:
    clock.shift(dt.timedelta(minutes=minutes))


def test_a_session_idle_for_thirty_minutes_ends(client_for, caseworker):
    with time_machine.travel(START, tick=False) as clock:
        client = client_for(caseworker)
        assert client.get(PAGE).status_code == 200
        _minutes(clock, 29)
        assert client.get(PAGE).status_code == 200  # still within the idle limit
        _minutes(clock, 29)
        assert client.get(PAGE).status_code == 200  # the last request moved the idle clock
        _minutes(clock, 31)
        ended = client.get(PAGE)
        assert ended.status_code == 302
        assert ended["Location"].startswith(LOGIN)
        login_page = client.get(ended["Location"])
        assert "logged out after 30 minutes without activity" in login_page.text
        assert client.get(PAGE).status_code == 302  # really logged out
    assert AuditEvent.objects.filter(action="logout", actor=caseworker).exists()


def test_an_active_session_still_ends_twelve_hours_after_log_in(client_for, caseworker):
    with time_machine.travel(START, tick=False) as clock:
        client = client_for(caseworker)
        for _ in range(12 * 3):  # a request every 20 minutes for 12 hours
            _minutes(clock, 20)
            assert client.get(PAGE).status_code == 200
        _minutes(clock, 1)
        ended = client.get(PAGE)
        assert ended.status_code == 302
        assert "12 hours after you logged in" in client.get(ended["Location"]).text


def test_the_limits_are_settings(client_for, caseworker, settings):
    settings.HAVEN_SESSION_IDLE_MINUTES = 5
    settings.HAVEN_SESSION_MAX_HOURS = 1
    with time_machine.travel(START, tick=False) as clock:
        client = client_for(caseworker)
        _minutes(clock, 6)
        assert client.get(PAGE).status_code == 302
        client = client_for(caseworker)
        for _ in range(14):
            _minutes(clock, 4)
            assert client.get(PAGE).status_code == 200
        _minutes(clock, 5)
        assert client.get(PAGE).status_code == 302  # 61 minutes after log-in


def test_an_htmx_request_after_the_limit_loads_the_log_in_page(client_for, caseworker):
    with time_machine.travel(START, tick=False) as clock:
        client = client_for(caseworker)
        _minutes(clock, 31)
        ended = client.get(PAGE, headers={"HX-Request": "true"})
        assert ended["HX-Redirect"].startswith(LOGIN)
