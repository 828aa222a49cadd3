"""The public status look-up: a receipt number and its secret give a minimal status, nothing else."""

from __future__ import annotations

from typing import NamedTuple

from haven.audit.models import AuditAction
from haven.audit.services import audit_record
from haven.common import crypto

from ..models import Request
from ..normalize import normalize_receipt_number, western_digits

# Compared against when the receipt is unknown, so that an unknown receipt costs the same
# hash and comparison as a known one with a wrong secret.
_NO_SUCH_HASH = crypto.hash_secret("no request has this secret")


def normalize_secret(value: str) -> str:
    # Digits typed on a Dari or Pashto keyboard are forgiven; case, dashes and look-alike
    # letters are forgiven by crypto.hash_secret.
    return western_digits(value)


class PublicStatus(NamedTuple):
    status: str
    # Why it was closed (Request.Outcome), blank unless closed.
    outcome: str


def request_status_lookup(*, receipt_number: str, secret: str) -> PublicStatus | None:
    """The public status (and closure outcome) of the request behind this pair, or None.

    None means "no such pair", whether the receipt is unknown or the secret wrong: the
    caller must answer both the same way. Every look-up is audited, without the secret.
    """
    number = normalize_receipt_number(receipt_number)
    found = (
        Request.objects.filter(receipt_number=number)
        .only("id", "status", "outcome", "status_secret_hash")
        .first()
        if number
        else None
    )
    matches = crypto.secret_matches(
        normalize_secret(secret), found.status_secret_hash if found else _NO_SUCH_HASH
    )
    outcome = "matched" if found and matches else ("wrong_secret" if found else "unknown_receipt")
    audit_record(
        actor=None,
        action=AuditAction.VIEW if outcome == "matched" else AuditAction.DENIED,
        object_type="intake.request",
        object_id=found.pk if found else "",
        summary="Public status look-up",
        # What was typed is kept short: it is untrusted text from the internet.
        details={"receipt_number": number or receipt_number[:30], "outcome": outcome},
    )
    return PublicStatus(found.status, found.outcome) if found and matches else None


def status_lookup_refused_record(*, receipt_number: str) -> None:
    """Audit a look-up refused by the rate limit, so guessing shows in the trail."""
    audit_record(
        actor=None,
        action=AuditAction.DENIED,
        object_type="intake.request",
        summary="Public status look-up refused: too many attempts",
        details={"receipt_number": receipt_number[:30], "outcome": "rate_limited"},
    )
