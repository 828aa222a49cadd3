"""Log-ins wait exponentially per user name, from every address, and never lock staff out
for good (issue 11, item 19)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from haven.accounts.login_delay import delay_for
from haven.audit.models import AuditEvent
from haven.conftest import PASSWORD

pytestmark = pytest.mark.django_db
URL = reverse("accounts:login")
START = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)
GENERIC = "do not match an active account"


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.HAVEN_LOGIN_DELAY_AFTER_FAILURES = 3
    settings.HAVEN_LOGIN_MAX_DELAY_SECONDS = 900
    settings.AXES_FAILURE_LIMIT = 1000  # the per-address lock is tested elsewhere


def _attempt(password: str, address: str, username: str = "caseworker"):
    return Client().post(URL, {"username": username, "password": password}, REMOTE_ADDR=address)


def _fail_three_times_from_three_addresses() -> None:
    for n in range(3):
        response = _attempt("wrong", f"203.0.113.{n + 1}")
        assert response.status_code == 200


def test_after_failures_from_many_addresses_even_the_right_password_waits(caseworker):
    with time_machine.travel(START, tick=False) as clock:
        _fail_three_times_from_three_addresses()
        refused = _attempt(PASSWORD, "198.51.100.20")  # staff, from elsewhere
        assert refused.status_code == 200
        assert GENERIC in refused.text  # the usual message: nothing to tell a guesser
        assert not AuditEvent.objects.filter(action="login").exists()

        clock.shift(dt.timedelta(seconds=1))
        assert _attempt(PASSWORD, "198.51.100.20").status_code == 200
        clock.shift(dt.timedelta(seconds=1.5))
        assert _attempt(PASSWORD, "198.51.100.20").status_code == 302
    assert AuditEvent.objects.filter(action="login", actor=caseworker).exists()


def test_each_further_failure_doubles_the_wait(caseworker):
    assert [delay_for(n) for n in range(3, 8)] == [2, 4, 8, 16, 32]
    assert delay_for(40) == 900  # capped
    with time_machine.travel(START, tick=False) as clock:
        _fail_three_times_from_three_addresses()
        clock.shift(dt.timedelta(seconds=2.1))
        assert GENERIC in _attempt("wrong again", "203.0.113.9").text  # failure 4: wait 4 s
        clock.shift(dt.timedelta(seconds=3))
        assert _attempt(PASSWORD, "198.51.100.20").status_code == 200
        clock.shift(dt.timedelta(seconds=1.5))
        assert _attempt(PASSWORD, "198.51.100.20").status_code == 302


def test_attempts_inside_the_wait_do_not_prolong_it(caseworker):
    with time_machine.travel(START, tick=False) as clock:
        _fail_three_times_from_three_addresses()
        for _ in range(20):  # an attacker hammering inside the wait
            _attempt("guess", "203.0.113.50")
        clock.shift(dt.timedelta(seconds=2.1))
        assert _attempt(PASSWORD, "198.51.100.20").status_code == 302


def test_only_one_attempt_is_checked_each_time_a_wait_ends(caseworker):
    with time_machine.travel(START, tick=False) as clock:
        _fail_three_times_from_three_addresses()
        clock.shift(dt.timedelta(seconds=2.1))
        _attempt("guess one", "203.0.113.50")
        # The wait is now 4 s from that failure; a second guess at once is not even checked.
        assert _attempt(PASSWORD, "198.51.100.20").status_code == 200


def test_a_success_forgets_the_failures(caseworker):
    with time_machine.travel(START, tick=False):
        _attempt("wrong", "203.0.113.1")
        _attempt("wrong", "203.0.113.2")
        assert _attempt(PASSWORD, "198.51.100.20").status_code == 302
        _attempt("wrong", "203.0.113.1")
        _attempt("wrong", "203.0.113.2")
        assert _attempt(PASSWORD, "198.51.100.20").status_code == 302


def test_other_user_names_are_not_delayed(caseworker, supervisor):
    with time_machine.travel(START, tick=False):
        _fail_three_times_from_three_addresses()
        assert _attempt(PASSWORD, "203.0.113.1", username="supervisor").status_code == 302
