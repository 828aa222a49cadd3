"""The background worker and `haven intake-drain` carry on after the database goes away
(issue 11, item 20). The real thing, a PostgreSQL restart under a running worker, is
.ci/worker_reconnect.py; here a lost connection is simulated by raising what psycopg raises."""

from __future__ import annotations

import json
import logging
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import OperationalError
from django.utils import translation
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult, DBTaskResultQuerySet

from haven.common import worker
from haven.intake import drain as intake_drain
from haven.intake.models import Channel, Request
from haven.intake.services import PersonInput, RequestInput, request_create
from haven.intake.tasks import pipeline_drain

pytestmark = pytest.mark.django_db
LOST = OperationalError("server closed the connection unexpectedly")


@pytest.fixture
def no_waiting(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record the backoff instead of sleeping; keep the test's own connection (closing it
    would end the test's transaction) but record that the worker dropped its connections."""
    waits: list[float] = []
    monkeypatch.setattr(worker, "_sleep", waits.append)
    monkeypatch.setattr(worker, "close_connections", lambda: waits.append(0.0))
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    return waits


@pytest.fixture
def database_tasks(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _pending(given_name: str) -> Request:
    data = RequestInput(channel=Channel.API, people=(PersonInput(given_name=given_name),))
    raw = json.dumps({"given_name": given_name})
    return request_create(data=data, raw_input=raw, run_pipeline=False).request


def _fail_once(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str) -> list[int]:
    calls = [0]
    original = getattr(owner, name)

    def flaky(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        if calls[0] == 1:
            raise LOST
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, flaky)
    return calls


def _worker() -> worker.ReconnectingWorker:
    return worker.ReconnectingWorker(
        queue_names=["*"],
        interval=0,
        batch=True,  # stop once the queue is empty
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )


def test_the_worker_reconnects_when_the_database_goes_away_and_runs_the_task(
    monkeypatch, no_waiting, database_tasks, caplog
):
    request = _pending("Sima")
    result = pipeline_drain.enqueue()
    calls = _fail_once(monkeypatch, DBTaskResultQuerySet, "get_locked")

    with caplog.at_level(logging.WARNING, logger="haven.worker"):
        _worker().run()

    assert calls[0] >= 2  # it asked again after the loss, instead of dying
    assert no_waiting[:2] == [0.0, 1.0]  # dropped its connections, then waited a second
    assert "Lost the database" in caplog.text
    assert DBTaskResult.objects.get(pk=result.id).status == "SUCCESSFUL"
    request.refresh_from_db()
    assert request.pipeline_pending is False


def test_a_task_cut_off_by_the_lost_connection_is_queued_again_and_finished(
    monkeypatch, no_waiting, database_tasks
):
    request = _pending("Wahid")
    result = pipeline_drain.enqueue()
    # The connection goes while the worker records the outcome (both ways of recording it).
    _fail_once(monkeypatch, DBTaskResult, "set_successful")
    _fail_once(monkeypatch, DBTaskResult, "set_failed")

    _worker().run()

    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == "SUCCESSFUL"
    assert row.worker_ids == ["test-worker", "test-worker"]  # claimed again after the loss
    request.refresh_from_db()
    assert request.pipeline_pending is False


def test_intake_drain_carries_on_after_a_lost_connection(monkeypatch, no_waiting):
    waiting = [_pending("Ahmad"), _pending("Farida")]
    _fail_once(monkeypatch, intake_drain, "requests_pending_process")
    out = StringIO()
    with translation.override("en"):  # an earlier test's request may have left Dari active
        call_command("intake_drain", stdout=out)
    assert "Processed 2 pending requests" in out.getvalue()
    assert not Request.objects.filter(pk__in=[r.pk for r in waiting], pipeline_pending=True)


def test_retrying_backs_off_exponentially_and_gives_up_when_told(no_waiting):
    now = [0.0]

    def always_lost() -> None:
        now[0] += 10
        raise LOST

    with pytest.raises(OperationalError):
        worker.retrying(always_lost, give_up_after=100, clock=lambda: now[0])
    waits = [w for w in no_waiting if w]
    assert waits[:6] == [1.0, 2.0, 4.0, 8.0, 16.0, 30.0]
