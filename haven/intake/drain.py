"""The background drain: requests stored as pending (the API, the public form) go through the
pipeline in batches, oldest first; the people of requests accepted with their people pending
are read from their raw input and stored first."""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection, transaction

from .inputs import IntakeItem, PersonInput, pipeline_run
from .models import PersonRecord, Request
from .records import BuiltRecord, person_record_build, person_records_create
from .signals import requests_received


def pipeline_drain_enqueue() -> None:
    from .tasks import pipeline_drain_soon

    pipeline_drain_soon()


PENDING_BATCH = 500


class PendingTaken(Exception):
    """Another worker finished some of these requests first: this batch rolls back."""


@transaction.atomic
def requests_pending_process(*, limit: int = PENDING_BATCH) -> int:
    """Run the pipeline for the oldest requests stored as pending; returns how many.

    Oldest first, so that resolution sees requests in the order they came. Locked rows
    are skipped (PostgreSQL): two workers take different batches.
    """
    # By arrival, then id: the API draws ids a block per process, so ids alone are not in
    # arrival order.
    pending = Request.objects.filter(pipeline_pending=True).order_by("received_at", "id")
    if connection.features.has_select_for_update_skip_locked:
        # No key of the locked rows changes (no delete, no unique column): FOR NO KEY UPDATE
        # on PostgreSQL, which does not hold up inserts of rows referencing them.
        pending = pending.select_for_update(no_key=True, skip_locked=True)
    requests = list(pending[:limit])
    if not requests:
        return 0
    _deferred_people_store([r for r in requests if r.people_pending])
    records: dict[int, list[PersonRecord]] = {r.pk: [] for r in requests}
    for record in (
        PersonRecord.objects.filter(request__in=requests)
        .prefetch_related("identifiers")
        .order_by("request_id", "position")
    ):
        records[record.request_id].append(record)
    for request in requests:
        for record in records[request.pk]:
            record.request = request  # no query per record for the request again
    pipeline_run(items=[IntakeItem(r, records[r.pk]) for r in requests], actor=None)
    ids = [r.pk for r in requests]
    # Without row locks (SQLite), two workers could read the same pending rows: the one
    # that finds them already done rolls back whole.
    if Request.objects.filter(pk__in=ids, pipeline_pending=True).update(
        pipeline_pending=False
    ) != len(ids):
        raise PendingTaken
    return len(ids)


def _people_reader(channel: str) -> Callable[[str], tuple[PersonInput, ...]]:
    """Who reads the people of a request accepted with its people pending, by channel: the
    channel's own reading of its raw input, the one it validated before answering. Only the
    partner API accepts requests that way. Imported here, not at the top: the API's reading
    builds on this module's inputs."""
    from .api.reading import people_from_raw_body

    readers = {"api": people_from_raw_body}
    return readers[channel]


def _deferred_people_store(requests: list[Request]) -> None:
    """Store the people of requests accepted with their people pending (the partner API),
    read from their raw input by their channel, with the same record building as every
    channel; a raw input that no longer reads (a schema changed since) goes to data entry."""
    if not requests:
        return
    built: list[BuiltRecord] = []
    unreadable: list[int] = []
    for request in requests:
        try:
            people = _people_reader(request.channel)(request.raw_input)
        except (ValueError, KeyError):  # pydantic's ValidationError is a ValueError
            unreadable.append(request.pk)
            people = ()
        built += [
            person_record_build(request=request, position=i, person=person)
            for i, person in enumerate(people)
        ]
    person_records_create(built)
    Request.objects.filter(pk__in=[r.pk for r in requests]).update(people_pending=False)
    Request.objects.filter(pk__in=unreadable).update(needs_data_entry=True)
    # The receipt waits for the people: the principal's phone or e-mail is among them.
    requests_received.send(sender=Request, requests=requests, actor=None)


def requests_pending_drain() -> int:
    """Process pending requests batch by batch until none is left; returns how many."""
    done = 0
    while True:
        try:
            processed = requests_pending_process()
        except PendingTaken:
            continue
        if not processed:
            return done
        done += processed
