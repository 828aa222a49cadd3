"""Background delivery: queued after the commit that wrote messages (django-tasks)."""

from __future__ import annotations

from django_tasks import task

from .outbox import outbox_deliver


@task()
def outbox_deliver_task() -> str:
    return str(outbox_deliver(budget_seconds=50))
