"""Background tasks for uploaded e-mail, run by the task worker (`haven db_worker`) like the
spreadsheet tasks in tasks.py."""

from __future__ import annotations

from django_tasks import task

from . import mail_upload


@task()
def mail_preview_task(batch_id: int) -> None:
    mail_upload.run_mail_preview(batch_id)


@task()
def mail_import_task(batch_id: int) -> None:
    mail_upload.run_mail_import(batch_id)
