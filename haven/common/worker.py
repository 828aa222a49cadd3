"""Background work that survives the database going away (a PostgreSQL restart, a failover).

django-tasks-db's worker stops at the first database error it does not expect, and a worker
that has stopped leaves every accepted request waiting. Haven's `db_worker` (the command of
the same name in haven.common, which INSTALLED_APPS lists before django_tasks_db so that it
wins) and `haven intake-drain` instead close the unusable connections, wait with an
exponential backoff, log, and carry on; a task the lost connection interrupted is queued
again (Haven's tasks are idempotent: a drain takes whatever is still pending).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.db import InterfaceError, OperationalError, connections
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger("haven.worker")

# Errors that mean "the connection is gone or the server is not there": worth waiting out.
CONNECTION_ERRORS: tuple[type[Exception], ...] = (OperationalError, InterfaceError)
FIRST_DELAY = 1.0
MAX_DELAY = 30.0
# A failure after this long of working starts the backoff from FIRST_DELAY again.
HEALTHY_AFTER = 60.0

T = TypeVar("T")
_sleep = time.sleep  # tests replace it


def close_connections() -> None:
    """Drop every connection of this thread, broken or not; the next query opens a new one."""
    for conn in connections.all(initialized_only=True):
        try:
            conn.close()
        except CONNECTION_ERRORS:  # closing a dead connection may complain; it is closed
            conn.connection = None


def retrying(
    work: Callable[[], T],
    *,
    give_up_after: float | None = None,
    sleep: Callable[[float], Any] | None = None,
    clock: Callable[[], float] = time.monotonic,
    keep_going: Callable[[], bool] = lambda: True,
    on_lost: Callable[[], None] = lambda: None,
) -> T | None:
    """Run `work` until it returns, reconnecting when the database goes away in between.

    Waits 1, 2, 4… up to 30 s between attempts (reset after a minute of working); gives up,
    re-raising, after `give_up_after` seconds without success (never when None). Returns None
    when keep_going() turns false while waiting (the worker was asked to stop)."""
    delay, started = FIRST_DELAY, clock()
    while True:
        attempt_started = clock()
        try:
            return work()
        except CONNECTION_ERRORS as exc:
            now = clock()
            if now - attempt_started > HEALTHY_AFTER:
                delay, started = FIRST_DELAY, attempt_started
            if give_up_after is not None and now - started > give_up_after:
                logger.error("The database is still unavailable; giving up: %s", exc)
                raise
            logger.warning(
                "Lost the database (%s: %s); reconnecting in %.0f s.",
                type(exc).__name__,
                str(exc).strip().splitlines()[0] if str(exc).strip() else "",
                delay,
            )
            close_connections()
            (sleep or _sleep)(delay)
            delay = min(delay * 2, MAX_DELAY)
            if not keep_going():
                return None
            _run_quietly(on_lost)


def _run_quietly(recover: Callable[[], None]) -> None:
    # Recovery needs the database too; if it is still away, the next attempt will say so.
    try:
        recover()
    except CONNECTION_ERRORS:
        close_connections()


class ReconnectingWorker(Worker):
    """django-tasks-db's worker, restarted in place when the database connection is lost."""

    def run(self) -> None:
        def once() -> None:
            super(ReconnectingWorker, self).run()
            self.startup_delay = False  # the herd has already spread out

        retrying(once, keep_going=lambda: self.running, on_lost=self.requeue_interrupted)
        if self.running:
            logger.info("Worker %s stopped.", self.worker_id)

    def requeue_interrupted(self) -> None:
        """Put back in the queue the task this worker was running when the connection went
        (recording its end needed the database too, so it still says RUNNING)."""
        # Few run at once; worker_ids is JSON, which SQLite cannot search with `contains`.
        for result in DBTaskResult.objects.running().only("id", "status", "worker_ids"):
            if self.worker_id not in result.worker_ids:
                continue
            logger.warning(
                "Task %s was interrupted by the lost connection: queued again.", result.id
            )
            result.status = TaskResultStatus.READY
            result.save(update_fields=["status"])
