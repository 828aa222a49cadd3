"""The partner API for referrals, on the same router, tokens, errors, Idempotency-Key and
rate limits as requests (haven.intake.api): added to that API in ReferralsConfig.ready()."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated, Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema
from pydantic import BaseModel, ConfigDict, Field

from haven.accounts.models import ApiToken
from haven.common import crypto
from haven.intake.api import idempotency
from haven.intake.api.errors import ApiError
from haven.intake.api.schemas import ErrorOut, Text
from haven.intake.api.views import IdempotencyKey

from . import selectors, services
from .errors import ReferralRefused, TransitionRefused
from .lifecycle import PARTNER_TARGETS
from .models import Referral, ReferralOutcome, ReferralStatus
from .snapshot import snapshot_loads

router = Router(tags=["referrals"])
_ERRORS: dict[int, type[ErrorOut]] = dict.fromkeys((400, 401, 404, 422, 429), ErrorOut)

StatusChoice = enum.Enum(  # type: ignore[misc]
    "StatusChoice", {s.upper(): s.value for s in ReferralStatus if s.value != "draft"}, type=str
)
TargetChoice = enum.Enum(  # type: ignore[misc]
    "TargetChoice", {str(s).upper(): str(s) for s in PARTNER_TARGETS}, type=str
)
OutcomeChoice = enum.Enum(  # type: ignore[misc]
    "OutcomeChoice", {o.upper(): o.value for o in ReferralOutcome}, type=str
)


class ServiceOut(Schema):
    id: str
    name: str
    kind: str


class ReferralSummaryOut(Schema):
    id: int
    reference: str
    status: str
    urgency: str
    service: ServiceOut
    sent_at: dt.datetime | None
    updated_at: dt.datetime
    acknowledge_due: dt.datetime | None
    outcome_due: dt.datetime | None
    overdue: bool


class ReferralOut(ReferralSummaryOut):
    reason: str
    decline_reason: str
    outcome: str
    outcome_note: str
    snapshot: dict[str, Any]


class ReferralPageOut(Schema):
    count: int
    page: int
    page_size: int
    pages: int
    results: list[ReferralSummaryOut]


class StatusIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: TargetChoice
    reason: Text = Field("", max_length=2000, description="Required when declining.")
    outcome: OutcomeChoice | None = Field(None, description="Required when completing.")
    note: Text = Field("", max_length=2000)


def _summary(referral: Referral) -> dict[str, Any]:
    return {
        "id": referral.pk,
        "reference": referral.reference,
        "status": referral.status,
        "urgency": referral.urgency,
        "service": {
            "id": str(referral.service.hsds_id),
            "name": referral.service.name,
            "kind": referral.service.kind,
        },
        "sent_at": referral.sent_at,
        "updated_at": referral.updated_at,
        "acknowledge_due": referral.acknowledge_due,
        "outcome_due": referral.outcome_due,
        "overdue": referral.overdue,
    }


def _full(referral: Referral) -> ReferralOut:
    return ReferralOut(
        **_summary(referral),
        reason=referral.reason,
        decline_reason=referral.decline_reason,
        outcome=referral.outcome,
        outcome_note=referral.outcome_note,
        snapshot=snapshot_loads(referral.snapshot),
    )


def _in_utc(moment: dt.datetime | None) -> dt.datetime | None:
    """A time with any offset (or none: UTC), as the database can compare it."""
    if moment is None:
        return None
    try:
        return moment.replace(tzinfo=moment.tzinfo or dt.UTC).astimezone(dt.UTC)
    except (OverflowError, ValueError) as exc:
        raise ApiError(
            422,
            "validation_failed",
            "The request is not valid: updated_since.",
            [{"field": "updated_since", "location": "query", "message": "out of range"}],
        ) from exc


def _token(request: HttpRequest) -> ApiToken:
    token: ApiToken = request.auth  # type: ignore[attr-defined]
    return token


def _through(token: ApiToken) -> str:
    return f"API token {token.prefix}"


@router.get(
    "",
    response={200: ReferralPageOut, **_ERRORS},
    operation_id="referrals_list",
    summary="List the referrals sent to your organisation",
)
def list_referrals(
    request: HttpRequest,
    status: Annotated[StatusChoice | None, Query()] = None,
    updated_since: Annotated[dt.datetime | None, Query()] = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> ReferralPageOut:
    """Newest change first. Withdrawn referrals are not listed: the partner has lost them."""
    token = _token(request)
    updated_since = _in_utc(updated_since)
    filters = selectors.PartnerFilters(
        status=status.value if status is not None and status.value != "withdrawn" else "",
        updated_since=updated_since,
    )
    found = selectors.partner_referrals(organization=token.organization, filters=filters)
    if status is not None and status.value == "withdrawn":
        found = found.none()
    count = found.count()
    start = (page - 1) * page_size
    results = list(found[start : start + page_size])
    selectors.audit_partner_list(
        actor=None,
        organization=token.organization,
        ids=[r.pk for r in results],
        through=_through(token),
        page=page,
    )
    return ReferralPageOut(
        count=count,
        page=page,
        page_size=page_size,
        pages=(count + page_size - 1) // page_size,
        results=[ReferralSummaryOut(**_summary(r)) for r in results],
    )


@router.get(
    "/{referral_id}",
    response={200: ReferralOut, **_ERRORS},
    operation_id="referrals_get",
    summary="Read one referral, with the data shared",
)
def get_referral(request: HttpRequest, referral_id: int) -> ReferralOut:
    token = _token(request)
    referral = selectors.partner_referral(organization=token.organization, referral_id=referral_id)
    selectors.audit_partner_read(actor=None, referral=referral, through=_through(token))
    return _full(referral)


@router.post(
    "/{referral_id}/status",
    response={200: ReferralOut, 409: ErrorOut, **_ERRORS},
    operation_id="referrals_status",
    summary="Acknowledge, accept, decline, start or complete a referral",
)
def change_status(
    request: HttpRequest,
    referral_id: int,
    payload: StatusIn,
    idempotency_key: IdempotencyKey = None,
) -> HttpResponse:
    """An invalid transition (completing a referral never accepted) is a 409 with a message."""
    token = _token(request)
    referral = selectors.partner_referral(organization=token.organization, referral_id=referral_id)

    def move() -> bytes:
        try:
            moved = services.referral_partner_move(
                referral=referral,
                status=payload.status.value,
                actor=None,
                actor_label=_through(token),
                reason=payload.reason,
                outcome=payload.outcome.value if payload.outcome is not None else "",
                note=payload.note,
            )
        except TransitionRefused as refused:
            raise ApiError(409, "invalid_transition", " ".join(refused.messages)) from refused
        except ReferralRefused as refused:
            field = refused.code if refused.code in {"reason", "outcome"} else ""
            raise ApiError(
                422,
                "validation_failed",
                " ".join(refused.messages),
                [{"field": field, "location": "body", "message": " ".join(refused.messages)}],
            ) from refused
        return (
            _full(Referral.objects.select_related("service").get(pk=moved.pk))
            .model_dump_json()
            .encode()
        )

    if idempotency_key is None:
        return _json(200, move())

    def produce(key_record: idempotency.KeyRecord) -> tuple[int, bytes] | None:
        # The key's record is claimed first, in the transaction that moves the referral: a
        # retry finds it and replays the first answer instead of a 409 for "already accepted".
        with transaction.atomic():
            record = key_record(200)
            try:
                with transaction.atomic():
                    record.save(force_insert=True)
            except IntegrityError:
                return None
            body = move()
            record.response_body_encrypted = crypto.encrypt(body.decode())
            record.save(update_fields=["response_body_encrypted"])
        return 200, body

    stored = idempotency.response_once(
        token=token,
        key=idempotency_key,
        request_fingerprint=idempotency.fingerprint(request.body),
        produce=produce,
    )
    response = _json(stored.status, stored.body)
    if stored.replayed:
        response["Idempotent-Replayed"] = "true"
    return response


def _json(status: int, body: bytes) -> HttpResponse:
    return HttpResponse(body, status=status, content_type="application/json; charset=utf-8")
