"""Idempotency-Key: a retry with the same key and body gets the first response again.

Partners retry when a connection drops, and in 2021 repeat submissions slowed
everything: a retry must never create a second request. The key's record is the claim
of the transaction that creates the request: inserted first (the unique index on
(token, key) decides), then the request, then the answer stored in the record, all or
none (intake.services_deferred.request_accept). So:

- a retry after the first attempt committed writes nothing and replays the stored answer;
- a retry racing the first attempt waits on that index until the first commits, then
  does the same;
- if the first attempt fails, its record goes with it and a retry starts afresh.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from haven.accounts.models import ApiToken
from haven.common import crypto
from haven.intake.models import IdempotencyRecord

from .errors import ApiError

DEFAULT_TTL_HOURS = 24
# How often to claim again when the key's record expired or was purged under us.
_ATTEMPTS = 3


@dataclass(frozen=True)
class StoredResponse:
    status: int
    body: bytes
    replayed: bool


def fingerprint(body: bytes) -> str:
    """SHA-256 of the body in canonical JSON: key order and spacing do not make it "different"."""
    canonical = json.dumps(
        json.loads(body), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def replay_window() -> dt.timedelta:
    return dt.timedelta(
        hours=float(getattr(settings, "HAVEN_API_IDEMPOTENCY_TTL_HOURS", DEFAULT_TTL_HOURS))
    )


# The key's record, not yet saved, for the status it will answer with; the body is stored
# once made (the answer names what the claimed transaction created).
KeyRecord = Callable[[int], IdempotencyRecord]
# What `produce` returns: the answer, or None when the key's record already existed (it then
# wrote nothing at all).
Produce = Callable[[KeyRecord], tuple[int, bytes] | None]


def _produce_and_record(
    *, token: ApiToken, key: str, request_fingerprint: str, produce: Produce
) -> StoredResponse | None:
    def key_record(status: int) -> IdempotencyRecord:
        return IdempotencyRecord(
            token=token,
            key=key,
            request_fingerprint=request_fingerprint,
            response_status=status,
            created_at=timezone.now(),
        )

    produced = produce(key_record)
    if produced is None:
        return None
    status, body = produced
    return StoredResponse(status=status, body=body, replayed=False)


def _stored(*, token: ApiToken, key: str, request_fingerprint: str) -> StoredResponse | None:
    """The response stored for the key; None when there is none (any more) to replay."""
    record = IdempotencyRecord.objects.filter(token=token, key=key).first()
    if record is None:
        return None  # purged since our insert found it
    cutoff = timezone.now() - replay_window()
    if record.created_at < cutoff:
        # Expired: forgotten, so the key can be claimed anew. Deleted only while still
        # expired, so of two retries arriving together one deletes it and neither errs.
        IdempotencyRecord.objects.filter(pk=record.pk, created_at__lt=cutoff).delete()
        return None
    if record.request_fingerprint != request_fingerprint:
        raise ApiError(
            422,
            "idempotency_key_reused",
            "This Idempotency-Key was already used with a different request body. "
            "Use a new key for a new request.",
            [{"field": "Idempotency-Key", "location": "header"}],
        )
    body = crypto.decrypt(record.response_body_encrypted).encode()
    return StoredResponse(status=record.response_status, body=body, replayed=True)


def response_once(
    *,
    token: ApiToken,
    key: str,
    request_fingerprint: str,
    produce: Produce,
) -> StoredResponse:
    """Run `produce` once per (token, key) and return its response, or replay the stored one.

    `produce(key_record)` inserts `key_record(status)` first, as the claim of what it creates
    in the same transaction, and stores its answer in it: when the key's record exists
    already, it writes nothing and returns None, and the stored answer is replayed.
    """
    for _ in range(_ATTEMPTS):
        produced = _produce_and_record(
            token=token, key=key, request_fingerprint=request_fingerprint, produce=produce
        )
        if produced is not None:
            return produced
        stored = _stored(token=token, key=key, request_fingerprint=request_fingerprint)
        if stored is not None:
            return stored
    raise ApiError(409, "idempotency_conflict", "The Idempotency-Key is busy; retry shortly.")


@transaction.atomic
def idempotency_records_purge(*, older_than: dt.timedelta) -> int:
    """Forget retry keys older than the replay window; returns how many were removed."""
    cutoff = timezone.now() - older_than
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted
