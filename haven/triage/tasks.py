"""Background work: re-triaging every open case after guidance is activated.

An activation splits its run into shards (disjoint ranges of case ids, see
services.retriage_shards_create) and enqueues one task per shard, so several
`haven db_worker` processes share a large run.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from . import selectors, services
from .decisions import OutcomeCache
from .models import GuidanceVersion, RetriageRun, RetriageShard


@task()
def retriage_shard(shard_id: int) -> None:
    """Work through one shard's open cases batch by batch, saving progress after each.

    Each batch commits on its own, so the progress bar moves, a restart carries
    on from the shard's `last_case_id`, and a newer activation stops this run.
    """
    shard = RetriageShard.objects.select_related("run__guidance").get(pk=shard_id)
    run = shard.run
    engine = selectors.engine_for_version(run.guidance)
    outcomes = OutcomeCache(run.guidance)
    now = timezone.now()
    RetriageRun.objects.filter(pk=run.pk, started_at__isnull=True).update(started_at=now)
    RetriageRun.objects.filter(pk=run.pk, status=RetriageRun.Status.QUEUED).update(
        status=RetriageRun.Status.RUNNING
    )
    while True:
        with transaction.atomic():
            # Lock the shard row: one worker per shard, and progress saved
            # atomically with the batch it describes.
            # No key of the locked rows changes (no delete, no unique column): FOR NO KEY UPDATE
            # on PostgreSQL, which does not hold up inserts of rows referencing them.
            shard = RetriageShard.objects.select_for_update(no_key=True).get(pk=shard_id)
            if shard.finished:
                return
            status = GuidanceVersion.objects.values_list("status", flat=True).get(
                pk=run.guidance_id
            )
            if status != GuidanceVersion.Status.ACTIVE:
                _shard_finish(shard, RetriageRun.Status.SUPERSEDED)
                return
            if services.cases_retriage_batch(
                run=run, shard=shard, engine=engine, outcomes=outcomes
            ):
                continue
            _shard_finish(shard, RetriageRun.Status.DONE)
            return


@task()
def retriage_open_cases(run_id: int) -> None:
    """Every shard of a run in turn, in one worker (runs enqueued before shards
    existed get one shard covering all cases)."""
    run = RetriageRun.objects.get(pk=run_id)
    if not run.shards.exists():
        RetriageShard.objects.create(run=run, number=0, last_case_id=run.last_case_id)
    for shard_id in run.shards.order_by("number").values_list("pk", flat=True):
        retriage_shard.call(shard_id)


def _shard_finish(shard: RetriageShard, status: str) -> None:
    shard.finished = True
    shard.save(update_fields=["finished"])
    # The shards of a run finish in their own transactions; the last one to
    # take the run's lock sees the others finished and closes the run.
    # No key of the locked rows changes (no delete, no unique column): FOR NO KEY UPDATE
    # on PostgreSQL, which does not hold up inserts of rows referencing them.
    run = RetriageRun.objects.select_for_update(no_key=True).get(pk=shard.run_id)
    if run.status in (RetriageRun.Status.DONE, RetriageRun.Status.SUPERSEDED):
        return
    if status == RetriageRun.Status.DONE and run.shards.filter(finished=False).exists():
        return
    run.status = status
    run.finished_at = timezone.now()
    # Cases opened or closed while the run went on make the first count stale.
    if status == RetriageRun.Status.DONE:
        run.total = run.done
    run.save(update_fields=["status", "finished_at", "total"])
