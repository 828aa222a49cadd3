"""Bearer-token authentication for partner systems."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.db.models import OuterRef, Subquery
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import HttpRequest
from ninja.security import HttpBearer

from haven.accounts.models import ApiToken
from haven.intake.models import Requester

# Longer than any token we issue; anything longer is refused without hashing it.
_MAX_TOKEN_LENGTH = 200
DEFAULT_CACHE_SECONDS = 5.0
_CACHE_LIMIT = 1_000

# A partner's surge sends thousands of requests a minute with one token: reading the token
# once every few seconds, not once per request, takes a third of the database work off each
# request. Only tokens found active are kept. Revoking (a save) forgets the token at once in
# the process that revoked it, and every other process forgets it within the cache's seconds.
_active: dict[str, tuple[float, ApiToken]] = {}


def cache_seconds() -> float:
    return float(getattr(settings, "HAVEN_API_TOKEN_CACHE_SECONDS", DEFAULT_CACHE_SECONDS))


def _clock() -> float:
    return time.monotonic()


def _looked_up(token_hash: str) -> ApiToken | None:
    # The requester that stands for the partner system comes in the same query (None before
    # the token's first request).
    return (
        ApiToken.objects.select_related("organization")
        .annotate(
            requester_pk=Subquery(Requester.objects.filter(api_token=OuterRef("pk")).values("pk"))
        )
        .filter(token_hash=token_hash, revoked_at__isnull=True)
        .first()
    )


def active_token(raw_token: str) -> ApiToken | None:
    raw_token = raw_token.strip()
    if not raw_token or len(raw_token) > _MAX_TOKEN_LENGTH:
        return None
    # Looked up by hash, so timing reveals nothing about stored tokens.
    token_hash = ApiToken.hash_secret(raw_token)
    now = _clock()
    cached = _active.get(token_hash)
    if cached is not None and cached[0] > now:
        return cached[1]
    token = _looked_up(token_hash)
    if token is None:
        _active.pop(token_hash, None)
        return None
    if len(_active) >= _CACHE_LIMIT:
        _active.clear()
    seconds = cache_seconds()
    if seconds > 0:
        _active[token_hash] = (now + seconds, token)
    return token


def requester_remembered(token: ApiToken, requester_pk: int) -> None:
    """After the token's first request made its requester: later requests need not look."""
    token.requester_pk = requester_pk  # type: ignore[attr-defined]


@receiver(post_save, sender=ApiToken)
@receiver(post_delete, sender=ApiToken)
def _token_changed(sender: Any, instance: ApiToken, **kwargs: Any) -> None:
    _active.pop(instance.token_hash, None)


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>`; request.auth becomes the ApiToken.

    Missing, unknown and revoked tokens get the same 401, so the answer tells an
    attacker nothing about which tokens exist.
    """

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        return active_token(token)
