"""`haven db_worker`: django-tasks-db's worker, reconnecting when the database goes away.

The same command and options as django-tasks-db's (this one wins because haven.common comes
before django_tasks_db in INSTALLED_APPS); only the worker differs: see haven.common.worker.
"""

from __future__ import annotations

from typing import Any

from django_tasks_db.management.commands import db_worker

from haven.common.worker import ReconnectingWorker


class Command(db_worker.Command):
    help = "Run the database background worker; it reconnects when the database restarts."

    def handle(self, *args: Any, **options: Any) -> None:
        # The upstream command builds its Worker by name from its own module.
        original = db_worker.Worker
        db_worker.Worker = ReconnectingWorker  # type: ignore[misc]
        try:
            super().handle(*args, **options)
        finally:
            db_worker.Worker = original  # type: ignore[misc]
