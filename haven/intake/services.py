"""The one intake path. Every channel builds a RequestInput and calls request_create."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone

from haven.accounts import permissions
from haven.accounts.models import Organization
from haven.audit.models import AuditAction
from haven.audit.services import audit_record, audit_record_many
from haven.common import bulk, crypto
from haven.common.registry import Slot

from . import normalize
from .models import Identifier, PersonRecord, Relationship, Request, Requester
from .signals import requests_received

if TYPE_CHECKING:
    from haven.accounts.models import User


@dataclass(frozen=True)
class PersonInput:
    relationship: str = Relationship.PRINCIPAL
    full_name: str = ""
    given_name: str = ""
    family_name: str = ""
    father_name: str = ""
    sex: str = ""
    date_of_birth: str = ""
    province: str = ""
    # (kind, value as written) pairs; kinds are IdentifierKind values.
    identifiers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class RequesterInput:
    kind: str = Requester.Kind.APPLICANT
    name: str = ""
    organization: Organization | None = None
    contact: str = ""


@dataclass(frozen=True)
class RequestInput:
    channel: str
    people: tuple[PersonInput, ...]
    requester: RequesterInput = field(default_factory=RequesterInput)
    help_requested: str = ""
    current_country: str = ""
    current_location: str = ""
    language: str = ""
    consent_version: str = ""
    # Eligibility answers by fact name (forms, spreadsheet columns); triage checks them.
    facts: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class IntakeItem:
    """One stored request on its way through the pipeline, with its person records. What each
    step learns (the people, the case) it returns to the flow (haven/config/flow.py), which
    hands it to the next step."""

    request: Request
    records: list[PersonRecord]


class IntakeFlow(Protocol):
    def __call__(self, *, items: list[IntakeItem], actor: User | None) -> object: ...


# What happens to stored requests next (matching, cases, triage, public status) is composed at
# the top of the app order, in haven/config/flow.py, which fills this slot when Django starts:
# intake may not import the apps after it. Empty, stored requests simply wait.
intake_flow: Slot[IntakeFlow] = Slot("the steps after intake, given each stored batch")


@dataclass(frozen=True)
class NewRequest:
    """One request for requests_create_many: what was understood and what was received."""

    data: RequestInput
    raw_input: str
    raw_content_type: str = "application/json"
    received_at: dt.datetime | None = None
    # Added to the audit event of the request (which token or batch it came through).
    audit_details: dict[str, Any] = field(default_factory=dict)
    # The stored request this one answers (an e-mail reply in its thread): it joins that
    # request's case, and needs no data entry for naming nobody.
    in_reply_to: Request | None = None


@dataclass(frozen=True)
class CreatedRequest:
    request: Request
    # Shown to the requester once; only its hash is stored.
    status_secret: str


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


def _names(person: PersonInput) -> tuple[str, str, str, str]:
    return (person.full_name, person.given_name, person.family_name, person.father_name)


def _has_name(person: PersonInput) -> bool:
    return any(n.strip() for n in _names(person))


def needs_data_entry(people: tuple[PersonInput, ...] | list[PersonInput]) -> bool:
    """Staff must enter this request by hand: no people, or someone without any name."""
    return not people or not all(_has_name(p) for p in people)


def _person_record_build(*, request: Request, position: int, person: PersonInput) -> PersonRecord:
    """An unsaved record, with its parsed identifiers waiting in `pending_identifiers`."""
    dob = normalize.parse_date_of_birth(person.date_of_birth)
    names = _names(person)
    identifiers = [
        normalize.normalize_identifier(kind, value)
        for kind, value in person.identifiers
        if value and value.strip()
    ]
    flags = [
        *dob.flags,
        *(["name_missing"] if not _has_name(person) else []),
        *(f"{i.kind}_invalid" for i in identifiers if not i.is_valid),
    ]
    record = PersonRecord(
        request=request,
        position=position,
        relationship=person.relationship or Relationship.OTHER,
        full_name=person.full_name.strip(),
        given_name=person.given_name.strip(),
        family_name=person.family_name.strip(),
        father_name=person.father_name.strip(),
        search_text=normalize.search_text(*names)[:700],
        sex=person.sex,
        dob_as_written=person.date_of_birth.strip()[:50],
        dob=dob.value,
        dob_precision=dob.precision,
        province=person.province.strip(),
        flags=flags,
    )
    record.pending_identifiers = identifiers  # type: ignore[attr-defined]
    return record


def _identifier_values(
    record: PersonRecord, parsed: normalize.NormalizedIdentifier
) -> dict[str, Any]:
    return {
        "person_record_id": record.pk,
        "kind": parsed.kind,
        "value_as_written_encrypted": crypto.encrypt(parsed.as_written),
        "normalized_encrypted": crypto.encrypt(parsed.normalized) if parsed.normalized else "",
        "value_hash": (
            crypto.keyed_hash(parsed.kind, parsed.normalized) if parsed.normalized else ""
        ),
        "is_valid": parsed.is_valid,
    }


def _person_records_create(records: list[PersonRecord]) -> list[PersonRecord]:
    # Two statements for any number of people: a surge of thousands of requests an hour is
    # bounded by round trips to the database, not by Python. The identifiers go without an
    # instance each: the pipeline reads them back from the database when it needs them.
    bulk.create_instances(records)
    bulk.insert_values(
        Identifier,
        [
            _identifier_values(record, parsed)
            for record in records
            for parsed in record.pending_identifiers  # type: ignore[attr-defined]
        ],
    )
    return records


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
    bulk.create_instances([r for r in distinct.values() if r is not None])
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
    built: list[list[PersonRecord]] = []
    for request, entry in zip(requests, entries, strict=True):
        records = [
            _person_record_build(request=request, position=i, person=person)
            for i, person in enumerate(entry.data.people)
        ]
        # A reply naming nobody adds to the request it answers: nothing to enter by hand.
        request.needs_data_entry = needs_data_entry(entry.data.people) and not (
            entry.in_reply_to and not entry.data.people
        )
        request.pipeline_pending = not run_pipeline
        built.append(records)
    bulk.create_instances(requests)
    created = _person_records_create([r for records in built for r in records])
    by_request: dict[int, list[PersonRecord]] = {r.pk: [] for r in requests}
    for record in created:
        by_request[record.request_id].append(record)
    items = [IntakeItem(request=r, records=by_request[r.pk]) for r in requests]
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


def pipeline_run(*, items: list[IntakeItem], actor: User | None) -> None:
    """The steps after intake (haven/config/flow.py), given the whole batch."""
    flow = intake_flow.get()
    if flow is not None:
        flow(items=items, actor=actor)


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
        pending = pending.select_for_update(skip_locked=True)
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
    records, unreadable = [], []
    for request in requests:
        try:
            people = _people_reader(request.channel)(request.raw_input)
        except (ValueError, KeyError):  # pydantic's ValidationError is a ValueError
            unreadable.append(request.pk)
            people = ()
        records += [
            _person_record_build(request=request, position=i, person=person)
            for i, person in enumerate(people)
        ]
    _person_records_create(records)
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


@transaction.atomic
def request_secret_reissue(*, request: Request, actor: User) -> str:
    """Give the request a new status secret and return it (to be shown once, like the
    first): the old one stops working at once. For a requester who lost the paper."""
    if not permissions.can_reissue_status_secrets(actor):
        raise PermissionDenied
    # Lock the row: two supervisors re-issuing at once must leave working the secret that
    # was shown last, not one nobody saw.
    locked = Request.objects.select_for_update().only("id", "receipt_number").get(pk=request.pk)
    secret = crypto.new_secret()
    locked.status_secret_hash = crypto.hash_secret(secret)
    locked.save(update_fields=["status_secret_hash"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        summary=f"Status secret of {locked.receipt_number} re-issued; the old one no longer works",
        details={"receipt_number": locked.receipt_number},
    )
    return secret
