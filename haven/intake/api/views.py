"""The partner REST API, version 1: send requests for help, list the ones you sent."""

from __future__ import annotations

import json
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from ninja import Header, NinjaAPI, Query
from ninja.parser import Parser

from haven.accounts.models import ApiToken, Organization
from haven.audit.models import AuditAction
from haven.audit.services import audit_record
from haven.intake.models import Request, Requester
from haven.intake.services_deferred import api_requester_get_or_create, request_accept

from . import idempotency
from .auth import BearerToken, requester_remembered, token_requester_id
from .errors import install_handlers
from .reading import request_input
from .schemas import (
    EXAMPLE_REQUEST,
    ErrorOut,
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
        body: dict[str, Any] = json.loads(request.body.decode("utf-8"))
        return body


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


def _audit_details(token: ApiToken, **extra: Any) -> dict[str, Any]:
    return {"api_token": token.prefix, "organization_id": token.organization_id, **extra}


def _requester_id(token: ApiToken) -> int:
    """The requester standing for the token's partner system. Made, on the token's first
    request, outside that request's transaction: the token's cache remembers it, so it must
    not vanish with a request that rolls back."""
    requester_id = token_requester_id(token)
    if requester_id is None:
        kind = _REQUESTER_KIND.get(token.organization.kind, Requester.Kind.OTHER)
        requester_id = api_requester_get_or_create(token=token, kind=kind)
        requester_remembered(token, requester_id)
    return requester_id


def _create(
    *,
    token: ApiToken,
    requester_id: int,
    payload: RequestIn,
    raw_body: str,
    key_record: idempotency.KeyRecord | None,
) -> tuple[int, bytes] | None:
    """The key's record (holding this answer), the request and its audit event are written
    together, or nothing when the key's record exists (None: a retry). The people are
    stored, matched, given a case and triaged by the background worker after that, so a
    partner system's surge is answered at the speed of storing and nothing it sent waits in
    memory."""
    accepted = request_accept(
        data=request_input(payload),
        raw_input=raw_body,
        requester_id=requester_id,
        audit_details={"through": f"API, {token.organization.name}"[:200], **_audit_details(token)},
        answer=lambda created: _answer(created.request, created.status_secret, len(payload.people)),
        key_record=key_record(201) if key_record is not None else None,
    )
    if accepted is None:
        return None
    return 201, accepted.answer


def _answer(intake_request: Request, status_secret: str, people_count: int) -> bytes:
    return (
        RequestCreatedOut(
            id=intake_request.pk,
            receipt_number=intake_request.receipt_number,
            status_secret=status_secret,
            status=Request.Status(intake_request.status),
            received_at=intake_request.received_at,
            people_count=people_count,
            needs_data_entry=intake_request.needs_data_entry,
        )
        .model_dump_json()
        .encode()
    )


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
    """Stores the request exactly as sent (its people are stored and matched moments later);
    answers with the receipt number and status secret to give the household."""
    token: ApiToken = request.auth  # type: ignore[attr-defined]
    # Already decoded once by the parser; kept verbatim as the request's raw input.
    raw_body = request.body.decode("utf-8")

    requester_id = _requester_id(token)

    def produce(key_record: idempotency.KeyRecord | None) -> tuple[int, bytes] | None:
        return _create(
            token=token,
            requester_id=requester_id,
            payload=payload,
            raw_body=raw_body,
            key_record=key_record,
        )

    if idempotency_key is None:
        produced = produce(None)
        assert produced is not None  # without a claim, the request is always written
        return _json(*produced)
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
