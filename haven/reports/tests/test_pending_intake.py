"""Requests stored but not yet through the pipeline are visible to staff: on the desk page
(the case list staff land on) and in `haven stats`."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from haven.intake.models import Channel, Request
from haven.intake.services import PersonInput, RequestInput, request_create
from haven.intake.tasks import pipeline_drain

pytestmark = pytest.mark.django_db

WAITING_2 = "2 requests received, waiting to be matched (the background worker runs them)."
WAITING_1 = "1 request received, waiting to be matched (the background worker runs it)."
WORKER = "the background worker may not be running"


def _store(*, pending: bool, name: str = "Ahmad") -> Request:
    data = RequestInput(channel=Channel.API, people=(PersonInput(given_name=name),))
    # In the test's transaction the after-commit drain never runs: a pending request waits.
    return request_create(data=data, raw_input="{}", run_pipeline=not pending).request


def _desk(client_for, user) -> str:
    response = client_for(user).get(reverse("cases:list"))
    assert response.status_code == 200
    return response.content.decode()


def test_the_desk_says_how_many_requests_wait_to_be_matched(client_for, caseworker) -> None:
    _store(pending=False)
    _store(pending=True)
    _store(pending=True, name="Farida")

    page = _desk(client_for, caseworker)

    assert WAITING_2 in page
    assert WORKER not in page


def test_one_waiting_request_is_said_in_the_singular(client_for, intake_officer) -> None:
    _store(pending=True)
    assert WAITING_1 in _desk(client_for, intake_officer)


def test_nothing_is_said_when_nothing_waits(client_for, supervisor) -> None:
    _store(pending=False)
    page = _desk(client_for, supervisor)
    assert "waiting to be matched" not in page


def test_a_request_waiting_over_ten_minutes_says_the_worker_may_be_down(
    client_for, caseworker
) -> None:
    old, _recent = _store(pending=True), _store(pending=True, name="Farida")
    Request.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(minutes=11))

    page = _desk(client_for, caseworker)

    assert WAITING_2 in page
    assert WORKER in page
    assert "haven intake-drain" in page


def test_nine_minutes_is_not_yet_a_worry(client_for, caseworker) -> None:
    waiting = _store(pending=True)
    Request.objects.filter(pk=waiting.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=9)
    )
    page = _desk(client_for, caseworker)
    assert WAITING_1 in page
    assert WORKER not in page


def test_once_the_worker_has_run_the_notice_is_gone(client_for, caseworker) -> None:
    _store(pending=True)
    assert pipeline_drain.call() == 1
    assert "waiting to be matched" not in _desk(client_for, caseworker)


def test_a_partner_sees_no_desk_and_no_count(client_for, partner_a) -> None:
    _store(pending=True)
    response = client_for(partner_a).get(reverse("cases:list"))
    assert response.status_code == 403
    assert "waiting to be matched" not in response.content.decode()


def test_haven_stats_counts_pending_requests_and_says_so_on_stderr() -> None:
    _store(pending=False)
    old = _store(pending=True)
    Request.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(hours=1))
    out, err = StringIO(), StringIO()

    call_command("stats", stdout=out, stderr=err)

    stats = json.loads(out.getvalue())
    assert (stats["requests"], stats["requests_pending"]) == (2, 1)
    assert WAITING_1 in err.getvalue()
    assert WORKER in err.getvalue()
