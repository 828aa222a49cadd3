"""Writes to API tokens and idempotency records."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from haven.audit.models import AuditAction
from haven.audit.services import audit_record

from . import api_token_state
from .models import Organization
from .models_api import ApiToken, all_scopes

if TYPE_CHECKING:
    from .models import User

# Recognisable in logs and by secret scanners, so a token pasted somewhere it should not be is caught.
TOKEN_MARKER = "hvn_"  # noqa: S105 (a public marker, not a secret)
_PREFIX_LENGTH = len(TOKEN_MARKER) + 8


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    # Shown once, when the token is created; only its hash is stored.
    raw: str


class TokenNotFound(Exception):
    pass


@transaction.atomic
def api_token_create(
    *,
    organization: Organization,
    name: str = "",
    rate_limit_per_minute: int | None = None,
    actor: User | None = None,
    scopes: list[str] | None = None,
    expires_at: dt.datetime | None = None,
    issued_to: User | None = None,
) -> IssuedToken:
    raw = TOKEN_MARKER + secrets.token_urlsafe(32)  # 256 bits
    token = ApiToken.objects.create(
        organization=organization,
        name=name[:100],
        prefix=raw[:_PREFIX_LENGTH],
        token_hash=ApiToken.hash_secret(raw),
        rate_limit_per_minute=rate_limit_per_minute,
        created_by=actor,
        scopes=sorted(set(scopes)) if scopes is not None else all_scopes(),
        expires_at=expires_at,
        issued_to=issued_to,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=token,
        summary=f"API token {token.prefix}… for {organization.name}",
        details={
            "organization_id": organization.pk,
            "scopes": token.scopes,
            "expires_at": expires_at.isoformat() if expires_at else None,
            "issued_to": issued_to.get_username() if issued_to else None,
        },
    )
    return IssuedToken(token=token, raw=raw)


@transaction.atomic
def api_token_revoke(*, prefix: str, actor: User | None = None) -> list[ApiToken]:
    """Revoke every active token whose prefix (or full value) matches; returns them."""
    prefix = prefix.strip()[:_PREFIX_LENGTH]
    if len(prefix) < _PREFIX_LENGTH:
        raise TokenNotFound(f"Give the token's first {_PREFIX_LENGTH} characters.")
    # Locked so two revocations cannot both read "active" and both record an event.
    # No key of the locked rows changes (no delete, no unique column): FOR NO KEY UPDATE
    # on PostgreSQL, which does not hold up inserts of rows referencing them.
    tokens = list(
        ApiToken.objects.select_for_update(no_key=True).filter(
            prefix=prefix, revoked_at__isnull=True
        )
    )
    if not tokens:
        raise TokenNotFound(f"No active token starts with {prefix!r}.")
    now = timezone.now()
    for token in tokens:
        token.revoked_at = now
        token.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=token,
            summary=f"API token {token.prefix}… revoked",
            details={"organization_id": token.organization_id},
        )
    transaction.on_commit(api_token_state.generation_bump)
    return tokens


@transaction.atomic
def api_token_revoke_one(*, token: ApiToken, actor: User) -> bool:
    """Revoke one token (the administration screen); False when it was already revoked."""
    # No key of the locked rows changes (no delete, no unique column): FOR NO KEY UPDATE
    # on PostgreSQL, which does not hold up inserts of rows referencing them.
    locked = ApiToken.objects.select_for_update(no_key=True).get(pk=token.pk)
    if locked.revoked_at is not None:
        return False
    locked.revoked_at = timezone.now()
    locked.save(update_fields=["revoked_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        summary=f"API token {locked.prefix}… revoked",
        details={"organization_id": locked.organization_id, "changes": {"revoked": [False, True]}},
    )
    transaction.on_commit(api_token_state.generation_bump)
    return True
