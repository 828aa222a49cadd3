"""Periodic work (alerts, digests, expiring links, outbox delivery, retention) from one place.

Apps register their jobs in their AppConfig.ready() with `periodic.register(...)`; `haven tick`
runs every registered job once (cron every minute in production), and `haven tick --every 60`
keeps doing so (what `make demo` runs beside the task worker), so a demo needs nothing extra.

A job decides for itself what is due (it reads the database), so running it twice, or late,
is harmless: jobs must be idempotent.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    # Does the job's work now; returns a short line for the log (counts, never personal data).
    run: Callable[[], str]


_JOBS: dict[str, PeriodicJob] = {}


def register(*, name: str, run: Callable[[], str]) -> None:
    """Add a job; registering the same name again replaces it (ready() may run twice)."""
    _JOBS[name] = PeriodicJob(name=name, run=run)


def jobs() -> list[PeriodicJob]:
    return [_JOBS[name] for name in sorted(_JOBS)]


def run_all(*, only: set[str] | None = None) -> dict[str, str]:
    """Run each job once, in name order; one job failing is logged and does not stop the rest."""
    results: dict[str, str] = {}
    for job in jobs():
        if only is not None and job.name not in only:
            continue
        try:
            results[job.name] = job.run()
        except Exception:  # a broken job must not starve the others
            logger.exception("periodic job %s failed", job.name)
            results[job.name] = "failed"
    return results
