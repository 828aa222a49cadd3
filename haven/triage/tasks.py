"""Background work: re-triaging every open case after guidance is activated."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from . import selectors, services
from .models import GuidanceVersion, RetriageRun


@task()
def retriage_open_cases(run_id: int) -> None:
    """Work through the open cases batch by batch, saving progress after each.

    Each batch commits on its own, so the progress bar moves, a restart carries
    on from `last_case_id`, and a newer activation stops this run.
    """
    run = RetriageRun.objects.select_related("guidance").get(pk=run_id)
    engine = selectors.engine_for_version(run.guidance)
    RetriageRun.objects.filter(pk=run_id, started_at__isnull=True).update(started_at=timezone.now())
    RetriageRun.objects.filter(pk=run_id).update(status=RetriageRun.Status.RUNNING)
    while True:
        with transaction.atomic():
            # Lock the run row: one worker per run, and progress saved atomically
            # with the batch it describes.
            run = RetriageRun.objects.select_for_update().select_related("guidance").get(pk=run_id)
            if run.guidance.status != GuidanceVersion.Status.ACTIVE:
                _finish(run, RetriageRun.Status.SUPERSEDED)
                return
            if services.cases_retriage_batch(run=run, engine=engine) == 0:
                _finish(run, RetriageRun.Status.DONE)
                return


def _finish(run: RetriageRun, status: str) -> None:
    run.status = status
    run.finished_at = timezone.now()
    # Cases opened or closed while the run went on make the first count stale.
    if status == RetriageRun.Status.DONE:
        run.total = run.done
    run.save(update_fields=["status", "finished_at", "total"])
