"""Creating requests: every channel builds a RequestInput and calls request_create (one) or
requests_create_many (a batch): receipt numbers, requesters, the request rows, their people,
the audit events, then the pipeline (now, or in the background drain)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from haven.audit.models import AuditAction
from haven.audit.services import audit_record_many
from haven.common import bulk, crypto

from . import normalize
from .drain import pipeline_drain_enqueue
from .inputs import (
    CreatedRequest,
    IntakeItem,
    NewRequest,
    RequesterInput,
    RequestInput,
    pipeline_run,
)
from .models import PersonRecord, Request, Requester
from .records import (
    BuiltRecord,
    identifiers_as_written,
    needs_data_entry,
    person_record_build,
    person_records_create,
)
from .signals import requests_received

if TYPE_CHECKING:
    from haven.accounts.models import User


def new_receipt_number() -> str:
    body = crypto.random_base32(10)
    return f"HV-{body[:5]}-{body[5:]}"


def _unused_receipt_numbers(count: int) -> list[str]:
    # 50 random bits: a collision is vanishingly rare, but a unique index would turn one into
    # a 500. One look-up for the whole batch.
    numbers: set[str] = set()
    while len(numbers) < count:
        wanted = {new_receipt_number() for _ in range(count - len(numbers))} - numbers
        taken = set(
            Request.objects.filter(receipt_number__in=wanted).values_list(
                "receipt_number", flat=True
            )
        )
        numbers |= wanted - taken
    return list(numbers)


def _requester_build(requester: RequesterInput) -> Requester | None:
    if not (requester.name or requester.organization or requester.contact):
        return None
    return Requester(
        kind=requester.kind,
        name=requester.name.strip(),
        organization=requester.organization,
        contact=requester.contact.strip(),
        contact_hash=normalize.contact_hash(requester.contact),
    )


def _requesters_create(requests: list[Request], entries: list[NewRequest]) -> None:
    """One requester row per distinct requester of the batch: every row of a spreadsheet
    comes from the same office, which needs one row, not one per request."""
    distinct: dict[RequesterInput, Requester | None] = {}
    for entry in entries:
        if entry.data.requester not in distinct:
            distinct[entry.data.requester] = _requester_build(entry.data.requester)
    # One row per distinct requester: a handful a batch, so Django's bulk_create.
    Requester.objects.bulk_create([r for r in distinct.values() if r is not None])
    for request, entry in zip(requests, entries, strict=True):
        request.requester = distinct[entry.data.requester]


def request_audit_summary(request: Request) -> str:
    return f"Request {request.receipt_number} via {request.channel}"


def request_build(
    entry: NewRequest, receipt_number: str, secret: str, actor: User | None
) -> Request:
    data = entry.data
    return Request(
        receipt_number=receipt_number,
        channel=data.channel,
        received_at=entry.received_at or timezone.now(),
        raw_input=entry.raw_input,
        raw_content_type=entry.raw_content_type,
        status_secret_hash=crypto.hash_secret(secret),
        help_requested=data.help_requested.strip(),
        current_country=data.current_country.strip().upper()[:2],
        current_location=data.current_location.strip()[:200],
        language=data.language[:10],
        consent_version=data.consent_version[:20],
        stated_facts=dict(data.facts) or None,  # no answers: nothing to encrypt
        entered_by=actor,
        in_reply_to=entry.in_reply_to,
    )


# No savepoint of its own (two round trips each): the caller's transaction, or this one,
# undoes everything on failure. A caller wanting to go on after a failure opens a savepoint.
@transaction.atomic(savepoint=False)
def request_create(
    *,
    data: RequestInput,
    raw_input: str,
    raw_content_type: str = "application/json",
    actor: User | None = None,
    received_at: dt.datetime | None = None,
    run_pipeline: bool = True,
    audit_details: dict[str, Any] | None = None,
    receipt_message: bool = True,
) -> CreatedRequest:
    """Store a request verbatim, parse its people, and run the intake pipeline (now, or
    after commit in the background when run_pipeline is False).

    A request is stored even when nothing in it can be parsed: it is then marked
    "needs data entry" for staff, never dropped.
    """
    entry = NewRequest(data, raw_input, raw_content_type, received_at, audit_details or {})
    return requests_create_many(
        entries=[entry], actor=actor, run_pipeline=run_pipeline, receipt_message=receipt_message
    )[0]


@transaction.atomic(savepoint=False)
def requests_create_many(
    *,
    entries: list[NewRequest],
    actor: User | None = None,
    run_pipeline: bool = True,
    receipt_message: bool = True,
) -> list[CreatedRequest]:
    """request_create for many requests at once, in a fixed number of statements.

    With run_pipeline, resolution, cases and triage run on the whole batch inside this
    transaction, in order (a later request can match a person an earlier one created).
    Without it, the requests are stored as pending and a background task runs the
    pipeline after commit: the channel answers without waiting for matching.

    With receipt_message, `requests_received` is sent in this transaction (communications
    queues each requester's receipt); False where the channel gave the receipt itself, or
    for synthetic data.
    """
    if not entries:
        return []
    secrets_ = [crypto.new_secret() for _ in entries]
    numbers = _unused_receipt_numbers(len(entries))
    requests = [
        request_build(entry, number, secret, actor)
        for entry, number, secret in zip(entries, numbers, secrets_, strict=True)
    ]
    _requesters_create(requests, entries)
    built: list[list[BuiltRecord]] = []
    for request, entry in zip(requests, entries, strict=True):
        records = [
            person_record_build(request=request, position=i, person=person)
            for i, person in enumerate(entry.data.people)
        ]
        # A reply naming nobody adds to the request it answers: nothing to enter by hand.
        request.needs_data_entry = needs_data_entry(entry.data.people) and not (
            entry.in_reply_to and not entry.data.people
        )
        request.pipeline_pending = not run_pipeline
        built.append(records)
    bulk.create_instances(requests)
    stored = [b for records in built for b in records]
    created = person_records_create(stored)
    identifiers = identifiers_as_written(stored)
    by_request: dict[int, list[PersonRecord]] = {r.pk: [] for r in requests}
    for record in created:
        by_request[record.request_id].append(record)
    items = [
        IntakeItem(request=r, records=by_request[r.pk], identifiers=identifiers) for r in requests
    ]
    if run_pipeline:
        pipeline_run(items=items, actor=actor)
    else:
        transaction.on_commit(pipeline_drain_enqueue)
    # Last, still in this transaction: writing to the audit chain holds its lock until commit
    # (haven.audit.chain), and every other writer of events waits meanwhile, so not during
    # the pipeline's matching.
    audit_record_many(
        actor=actor,
        action=AuditAction.CREATE,
        entries=[
            (
                request,
                request_audit_summary(request),
                {"people": len(records), **entry.audit_details},
            )
            for request, records, entry in zip(requests, built, entries, strict=True)
        ],
    )
    if receipt_message:
        requests_received.send(sender=Request, requests=requests, actor=actor)
    return [
        CreatedRequest(request=r, status_secret=secret)
        for r, secret in zip(requests, secrets_, strict=True)
    ]
