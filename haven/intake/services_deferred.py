"""Accept now, store the people a moment later: the partner API's fast path.

A partner system's surge must be answered at the speed of one write. `request_accept`
stores the request as received (raw input, receipt, requester, audit event), its people
pending; the background worker (`requests_pending_process`) reads them from the raw input
with the channel's own reader, stores them with the same code as every other channel, then
runs resolution, cases and triage. Nothing is acknowledged before it is committed, so
nothing acknowledged can be lost.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from haven.accounts.models import ApiToken
from haven.audit.models import AuditAction
from haven.audit.services import audit_event_new
from haven.common import bulk, crypto

from .models import Request, Requester
from .services import (
    CreatedRequest,
    NewRequest,
    RequestInput,
    needs_data_entry,
    new_receipt_number,
    pipeline_drain_enqueue,
    request_audit_summary,
    request_build,
)

# A row that must be new for the request to be written at all (the API: the
# Idempotency-Key's record, holding its answer); given the request, its id set, and the
# status secret.
Claim = Callable[[Request, str], models.Model]


def request_accept(
    *,
    data: RequestInput,
    raw_input: str,
    requester_id: int,
    audit_details: dict[str, Any],
    claim: Claim | None = None,
) -> CreatedRequest | None:
    """Store a request and its receipt, its audit event and the claim row, all or none, in
    one statement on PostgreSQL (in a transaction that holds the audit chain's lock), its people
    left for the background worker to read and store. None, writing nothing, when the
    claim's unique value is already taken (a retry: the caller replays the first answer)."""
    secret = crypto.new_secret()
    entry = NewRequest(data=data, raw_input=raw_input, received_at=timezone.now())
    request = request_build(entry, new_receipt_number(), secret, None)
    request.requester_id = requester_id
    request.needs_data_entry = needs_data_entry(data.people)
    request.pipeline_pending = True
    request.people_pending = True  # read from raw_input by the worker, as validated here
    details = {"people": len(data.people), "people_deferred": True, **audit_details}

    def audit_event(obj: models.Model) -> list[models.Model]:
        return [
            audit_event_new(
                actor=None,
                action=AuditAction.CREATE,
                obj=request,
                summary=request_audit_summary(request),
                details=details,
            )
        ]

    def claim_row(obj: models.Model) -> models.Model | None:
        return claim(request, secret) if claim is not None else None

    # One transaction: the audit event's chain hash is computed holding the chain lock
    # (haven.audit.chain), which must be held until the event is committed.
    with transaction.atomic():
        while True:
            outcome = bulk.insert_claimed(request, claim=claim_row, with_main=audit_event)
            if outcome is bulk.ClaimOutcome.CLAIMED:
                return None
            if outcome is bulk.ClaimOutcome.WRITTEN:
                break
            # A receipt number already taken (50 random bits: about never): draw again.
            request.receipt_number = new_receipt_number()
        transaction.on_commit(pipeline_drain_enqueue)
    return CreatedRequest(request=request, status_secret=secret)


def api_requester_get_or_create(*, token: ApiToken, kind: str) -> int:
    """The id of the requester that stands for the token's partner system, made on first use."""
    found = Requester.objects.filter(api_token=token).values_list("pk", flat=True).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return Requester.objects.create(
                api_token=token,
                kind=kind,
                name=token.organization.name,
                organization=token.organization,
            ).pk
    except IntegrityError:
        # Another request through the same token made it first.
        return Requester.objects.values_list("pk", flat=True).get(api_token=token)
