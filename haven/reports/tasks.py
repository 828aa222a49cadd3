"""Background work: sitreps for long periods."""

from __future__ import annotations

from django_tasks import task

from .services import sitrep_job_render


@task()
def sitrep_job_run(job_id: int) -> None:
    sitrep_job_render(job_id)
