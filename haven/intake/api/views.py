"""The partner REST API, version 1: send requests for help, list the ones you sent."""

from __future__ import annotations

import json
from typing import Annotated, Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from ninja import Header, NinjaAPI, Query
from ninja.parser import Parser

from haven.accounts.models import ApiToken, Organization
from haven.audit.models import AuditAction
from haven.audit.services import audit_record
from haven.intake.models import Channel, IdentifierKind, Relationship, Request, Requester
from haven.intake.services import PersonInput, RequesterInput, RequestInput, request_create

from . import idempotency
from .auth import BearerToken
from .errors import install_handlers
from .schemas import (
    EXAMPLE_REQUEST,
    ErrorOut,
    PersonIn,
    RequestCreatedOut,
    RequestIn,
    RequestPageOut,
    RequestSummaryOut,
)
from .selectors import requests_sent_by
from .throttling import TokenRateThrottle

DESCRIPTION = """\
Partner systems send requests for help to the task force and follow them.

Authenticate with `Authorization: Bearer <token>` (ask the task force for a token).
Send an `Idempotency-Key` header with every POST and reuse it when you retry: a retry
gets the first answer again and never creates a second request.
Every error has the form `{"error": {"code": "...", "message": "...", "details": [...]}}`.
"""


class Utf8JsonParser(Parser):
    """JSON in UTF-8 only: the raw body is stored as text, so it must decode as it was sent."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        return json.loads(request.body.decode("utf-8"))


api = NinjaAPI(
    title="Haven partner API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="haven-api-v1",
    openapi_url="/schema",
    # Ninja's Swagger page loads its scripts from a CDN; ours (docs.py) works offline.
    docs_url=None,
    auth=BearerToken(),
    throttle=[TokenRateThrottle()],
    parser=Utf8JsonParser(),
)
install_handlers(api)

_ERRORS: dict[int, type[ErrorOut]] = dict.fromkeys((400, 401, 413, 422, 429), ErrorOut)

# Which kind of requester a sending organisation is, for staff reading the request.
_REQUESTER_KIND: dict[str, str] = {
    Organization.Kind.REQUESTING_BODY: Requester.Kind.OFFICE,
    Organization.Kind.PARTNER: Requester.Kind.INTERNATIONAL_ORG,
}

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        description="Any unique string up to 255 visible ASCII characters, e.g. a UUID. "
        "Reuse it, with the same body, when you retry.",
        max_length=255,
        pattern=r"^[\x21-\x7e]+$",
    ),
]


def _person_input(
    person: PersonIn, position: int, extra_identifiers: list[tuple[str, str]]
) -> PersonInput:
    default = Relationship.PRINCIPAL if position == 0 else Relationship.OTHER
    return PersonInput(
        relationship=person.relationship or default,
        full_name=person.full_name,
        given_name=person.given_name,
        family_name=person.family_name,
        father_name=person.father_name,
        sex=person.sex,
        date_of_birth=person.date_of_birth,
        province=person.province,
        identifiers=tuple((i.kind.value, i.value) for i in person.identifiers)
        + tuple(extra_identifiers),
    )


def _request_input(payload: RequestIn, organization: Organization) -> RequestInput:
    # The household's phone and e-mail belong to the principal, as at the walk-in desk.
    contact = [
        (kind, value)
        for kind, value in (
            (IdentifierKind.PHONE.value, payload.contact.phone),
            (IdentifierKind.EMAIL.value, payload.contact.email),
        )
        if value.strip()
    ]
    principal = next(
        (i for i, p in enumerate(payload.people) if p.relationship == Relationship.PRINCIPAL), 0
    )
    people = tuple(
        _person_input(person, i, contact if i == principal else [])
        for i, person in enumerate(payload.people)
    )
    return RequestInput(
        channel=Channel.API,
        people=people,
        requester=RequesterInput(
            kind=_REQUESTER_KIND.get(organization.kind, Requester.Kind.OTHER),
            name=organization.name,
            organization=organization,
        ),
        help_requested=payload.help_requested,
        current_country=payload.location.country,
        current_location=payload.location.place,
        language=payload.language,
        consent_version=payload.consent_version,
    )


def _audit_details(token: ApiToken, **extra: Any) -> dict[str, Any]:
    return {"api_token": token.prefix, "organization_id": token.organization_id, **extra}


def _create(*, token: ApiToken, payload: RequestIn, raw_body: str) -> tuple[int, bytes]:
    """Runs in the caller's transaction (with the key claim, if any), without a savepoint of
    its own: a failure anywhere must undo all of it, and each savepoint is two round trips."""
    # Matching, case and triage run in the background after commit: a partner system's
    # surge is answered at the speed of storing, and nothing it sent waits in memory.
    created = request_create(
        data=_request_input(payload, token.organization),
        raw_input=raw_body,
        run_pipeline=False,
        audit_details={
            "through": f"API, {token.organization.name}"[:200],
            **_audit_details(token),
        },
    )
    intake_request = created.request
    out = RequestCreatedOut(
        id=intake_request.pk,
        receipt_number=intake_request.receipt_number,
        status_secret=created.status_secret,
        status=Request.Status(intake_request.status),
        received_at=intake_request.received_at,
        people_count=len(payload.people),
        needs_data_entry=intake_request.needs_data_entry,
    )
    return 201, out.model_dump_json().encode()


def _audit_replay(token: ApiToken, stored: idempotency.StoredResponse) -> None:
    # The answer repeats the status secret, so a replay is recorded like a read of the request.
    answer = json.loads(stored.body)
    audit_record(
        actor=None,
        action=AuditAction.VIEW,
        object_type="intake.request",
        object_id=answer.get("id", ""),
        summary=f"Idempotent replay of {answer.get('receipt_number', '')} to "
        f"{token.organization.name}",
        details=_audit_details(token, replayed=True),
    )


@api.post(
    "/requests",
    response={201: RequestCreatedOut, **_ERRORS},
    operation_id="requests_create",
    summary="Send a request for help",
    openapi_extra={"requestBody": {"content": {"application/json": {"example": EXAMPLE_REQUEST}}}},
)
def create_request(
    request: HttpRequest, payload: RequestIn, idempotency_key: IdempotencyKey = None
) -> HttpResponse:
    """Stores the request exactly as sent, then parses its people; answers with the receipt
    number and status secret to give the household."""
    token: ApiToken = request.auth  # type: ignore[attr-defined]
    # Already decoded once by the parser; kept verbatim as the request's raw input.
    raw_body = request.body.decode("utf-8")

    def produce() -> tuple[int, bytes]:
        return _create(token=token, payload=payload, raw_body=raw_body)

    if idempotency_key is None:
        with transaction.atomic():
            status, body = produce()
        return _json(status, body)
    stored = idempotency.response_once(
        token=token,
        key=idempotency_key,
        request_fingerprint=idempotency.fingerprint(request.body),
        produce=produce,
    )
    response = _json(stored.status, stored.body)
    if stored.replayed:
        _audit_replay(token, stored)
        response["Idempotent-Replayed"] = "true"
    return response


@api.get(
    "/requests",
    response={200: RequestPageOut, **_ERRORS},
    operation_id="requests_list",
    summary="List the requests your organisation sent",
)
def list_requests(
    request: HttpRequest,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> RequestPageOut:
    """Newest first, with minimal fields: no personal data leaves through this list."""
    token: ApiToken = request.auth  # type: ignore[attr-defined]
    found = requests_sent_by(organization=token.organization, page=page, page_size=page_size)
    audit_record(
        actor=None,
        action=AuditAction.VIEW,
        object_type="intake.request",
        summary=f"API list for {token.organization.name}, page {page}",
        details=_audit_details(token, page=page, results=len(found.results)),
    )
    return RequestPageOut(
        count=found.count,
        page=found.page,
        page_size=found.page_size,
        pages=found.pages,
        results=[RequestSummaryOut(**row) for row in found.results],
    )


def _json(status: int, body: bytes) -> HttpResponse:
    return HttpResponse(body, status=status, content_type="application/json; charset=utf-8")
