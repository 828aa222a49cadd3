"""Background tasks for uploads: run by the task worker (`haven db_worker`)."""

from __future__ import annotations

from django_tasks import task

from . import jobs


@task()
def import_preview_task(batch_id: int) -> None:
    jobs.run_preview(batch_id)


@task()
def import_run_task(batch_id: int) -> None:
    jobs.run_import(batch_id)
