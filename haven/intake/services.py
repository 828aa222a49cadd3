"""The one intake path. Every channel builds a RequestInput and calls request_create."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from haven.accounts.models import Organization
from haven.audit.models import AuditAction
from haven.audit.services import audit_record
from haven.common import crypto

from . import normalize
from .models import Identifier, PersonRecord, Relationship, Request, Requester

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


@dataclass
class IntakeContext:
    """What one pipeline step learnt that a later one needs, so it is not read back.

    Steps fill what they know (resolution: the person each record now links to; cases: the
    case the request joined); a step that finds a field empty reads the database instead.
    """

    people_by_record: dict[int, Any] = field(default_factory=dict)
    case: Any = None


@dataclass(frozen=True)
class CreatedRequest:
    request: Request
    # Shown to the requester once; only its hash is stored.
    status_secret: str


def new_receipt_number() -> str:
    body = "".join(secrets.choice(crypto.CROCKFORD) for _ in range(10))
    return f"HV-{body[:5]}-{body[5:]}"


def _unused_receipt_number() -> str:
    # 50 random bits: a collision is vanishingly rare, but a unique index would turn one into a 500.
    while True:
        number = new_receipt_number()
        if not Request.objects.filter(receipt_number=number).exists():
            return number


def _person_record_build(*, request: Request, position: int, person: PersonInput) -> PersonRecord:
    """An unsaved record, with its parsed identifiers waiting in `pending_identifiers`."""
    dob = normalize.parse_date_of_birth(person.date_of_birth)
    names = (person.full_name, person.given_name, person.family_name, person.father_name)
    identifiers = [
        normalize.normalize_identifier(kind, value)
        for kind, value in person.identifiers
        if value and value.strip()
    ]
    flags = [
        *dob.flags,
        *(["name_missing"] if not any(n.strip() for n in names) else []),
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


def _identifier_build(record: PersonRecord, parsed: normalize.NormalizedIdentifier) -> Identifier:
    return Identifier(
        person_record=record,
        kind=parsed.kind,
        value_as_written_encrypted=crypto.encrypt(parsed.as_written),
        normalized_encrypted=crypto.encrypt(parsed.normalized) if parsed.normalized else "",
        value_hash=crypto.keyed_hash(parsed.kind, parsed.normalized) if parsed.normalized else "",
        is_valid=parsed.is_valid,
    )


def _person_records_create(*, request: Request, records: list[PersonRecord]) -> list[PersonRecord]:
    # Two statements for any household size: a surge of thousands of requests an hour is
    # bounded by round trips to the database, not by Python.
    created = PersonRecord.objects.bulk_create(records)
    Identifier.objects.bulk_create(
        _identifier_build(record, parsed)
        for record in created
        for parsed in record.pending_identifiers  # type: ignore[attr-defined]
    )
    return created


def _requester_create(requester: RequesterInput) -> Requester | None:
    if not (requester.name or requester.organization or requester.contact):
        return None
    return Requester.objects.create(
        kind=requester.kind,
        name=requester.name.strip(),
        organization=requester.organization,
        contact=requester.contact.strip(),
    )


@transaction.atomic
def request_create(
    *,
    data: RequestInput,
    raw_input: str,
    raw_content_type: str = "application/json",
    actor: User | None = None,
    received_at: dt.datetime | None = None,
) -> CreatedRequest:
    """Store a request verbatim, parse its people, and run the intake pipeline.

    A request is stored even when nothing in it can be parsed: it is then marked
    "needs data entry" for staff, never dropped.
    """
    secret = crypto.new_secret()
    request = Request(
        receipt_number=_unused_receipt_number(),
        channel=data.channel,
        received_at=received_at or timezone.now(),
        requester=_requester_create(data.requester),
        raw_input=raw_input,
        raw_content_type=raw_content_type,
        status_secret_hash=crypto.hash_secret(secret),
        help_requested=data.help_requested.strip(),
        current_country=data.current_country.strip().upper()[:2],
        current_location=data.current_location.strip()[:200],
        language=data.language[:10],
        consent_version=data.consent_version[:20],
        entered_by=actor,
    )
    records = [
        _person_record_build(request=request, position=i, person=person)
        for i, person in enumerate(data.people)
    ]
    request.needs_data_entry = not records or any("name_missing" in r.flags for r in records)
    request.save(force_insert=True)
    records = _person_records_create(request=request, records=records)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=request,
        summary=f"Request {request.receipt_number} via {data.channel}",
        details={"people": len(records)},
    )
    context = IntakeContext()
    for step in settings.HAVEN_INTAKE_PIPELINE:
        import_string(step)(request=request, records=records, actor=actor, context=context)
    return CreatedRequest(request=request, status_secret=secret)
