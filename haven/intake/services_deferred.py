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
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from haven.accounts.models import ApiToken
from haven.audit.models import AuditAction
from haven.audit.services import audit_record
from haven.common import crypto

from .models import IdempotencyRecord, Request, Requester
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

# The answer the caller gives for a request just created (its JSON body).
Answer = Callable[[CreatedRequest], bytes]
# How often a receipt number is drawn again when the one drawn is taken (50 random bits:
# about never once).
_RECEIPT_DRAWS = 3


@dataclass(frozen=True)
class AcceptedRequest:
    created: CreatedRequest
    answer: bytes


class _KeyTaken(Exception):
    """The Idempotency-Key's record exists already: a retry, so nothing is written."""


def request_accept(
    *,
    data: RequestInput,
    raw_input: str,
    requester_id: int,
    audit_details: dict[str, Any],
    answer: Answer,
    key_record: IdempotencyRecord | None = None,
) -> AcceptedRequest | None:
    """Claim the Idempotency-Key (when one was sent: `key_record`, not yet saved), create
    the request, store the answer in the key's record, and audit it: one transaction, all
    or none. The request's people are left for the background worker to read and store.

    None, writing nothing, when the key's record exists already (a retry: the caller
    replays the first answer)."""
    for _ in range(_RECEIPT_DRAWS):
        receipt_number = new_receipt_number()
        try:
            return _accept(
                data=data,
                raw_input=raw_input,
                requester_id=requester_id,
                audit_details=audit_details,
                answer=answer,
                key_record=key_record,
                receipt_number=receipt_number,
            )
        except _KeyTaken:
            return None
        except IntegrityError:
            # A receipt number already taken: draw again; any other failure is a fault.
            if not Request.objects.filter(receipt_number=receipt_number).exists():
                raise
            if key_record is not None:  # rolled back: inserted anew with the next draw
                key_record.pk = None
                key_record._state.adding = True
    raise RuntimeError("no unused receipt number drawn")


@transaction.atomic
def _accept(
    *,
    data: RequestInput,
    raw_input: str,
    requester_id: int,
    audit_details: dict[str, Any],
    answer: Answer,
    key_record: IdempotencyRecord | None,
    receipt_number: str,
) -> AcceptedRequest:
    if key_record is not None:
        # The claim comes first: a retry racing this one waits on the key's unique index
        # until this transaction ends, then finds the key taken (or, rolled back, free).
        try:
            key_record.save(force_insert=True)
        except IntegrityError as taken:
            raise _KeyTaken from taken  # leaving the transaction rolls the failure back
    secret = crypto.new_secret()
    entry = NewRequest(data=data, raw_input=raw_input, received_at=timezone.now())
    request = request_build(entry, receipt_number, secret, None)
    request.requester_id = requester_id
    request.needs_data_entry = needs_data_entry(data.people)
    request.pipeline_pending = True
    request.people_pending = True  # read from raw_input by the worker, as validated here
    request.save(force_insert=True)
    created = CreatedRequest(request=request, status_secret=secret)
    body = answer(created)
    if key_record is not None:
        # Encrypted: the answer carries the status secret, otherwise stored only as a hash.
        key_record.response_body_encrypted = crypto.encrypt(body.decode())
        key_record.save(update_fields=["response_body_encrypted"])
    # Last: the audit chain's lock is held from here to the commit (haven.audit.chain).
    audit_record(
        actor=None,
        action=AuditAction.CREATE,
        obj=request,
        summary=request_audit_summary(request),
        details={"people": len(data.people), "people_deferred": True, **audit_details},
    )
    transaction.on_commit(pipeline_drain_enqueue)
    return AcceptedRequest(created=created, answer=body)


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
