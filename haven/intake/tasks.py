"""Background work of intake: the pipeline for requests stored as pending."""

from __future__ import annotations

import datetime as dt
import threading
import time

from django.utils import timezone
from django_tasks import task

from .services import requests_pending_drain

# A drain starts this long after it is asked for, and each process asks at most once per
# this long: in a surge, one queued task per second per process instead of one per request.
DRAIN_DELAY = dt.timedelta(seconds=1)
_asked = {"at": -1e9}
_lock = threading.Lock()


@task()
def pipeline_drain() -> int:
    """Run the pipeline for every pending request; one that finds nothing left costs a query."""
    return requests_pending_drain()


def pipeline_drain_soon() -> None:
    """Make sure a drain runs after the caller's commit.

    A request that skips asking was committed before the drain asked for less than
    DRAIN_DELAY ago can start (it is deferred by DRAIN_DELAY), so that drain sees it.
    A backend that cannot defer (the immediate one, in tests) is asked every time.
    """
    if not pipeline_drain.get_backend().supports_defer:
        pipeline_drain.enqueue()
        return
    now = time.monotonic()
    with _lock:
        if now - _asked["at"] < DRAIN_DELAY.total_seconds():
            return
        _asked["at"] = now
    pipeline_drain.using(run_after=timezone.now() + DRAIN_DELAY).enqueue()
