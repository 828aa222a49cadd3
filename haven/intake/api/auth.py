"""Bearer-token authentication for partner systems."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.db.models import OuterRef, Q, Subquery
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from haven.accounts import api_token_state
from haven.accounts.models import ApiToken
from haven.accounts.models_api import ApiScope
from haven.intake.models import Requester

# Longer than any token we issue; anything longer is refused without hashing it.
_MAX_TOKEN_LENGTH = 200
DEFAULT_CACHE_SECONDS = 5.0
_CACHE_LIMIT = 1_000

# A partner's surge sends thousands of requests a minute with one token: reading the token
# once every few seconds, not once per request, takes a third of the database work off each
# request. Only tokens found active are kept. Revoking (a save) forgets the token at once in
# the process that revoked it; revoking, deactivating the token's holder and expiry also move
# the revocation generation in Django's cache (haven/accounts/api_token_state.py), which every
# cached entry is checked against, so with a shared cache (HAVEN_CACHE_URL) every process
# refuses the token on its next request. Entries: (until, generation, token).
_active: dict[str, tuple[float, int, ApiToken]] = {}
# The id of the requester standing for each token's partner system, by token hash: found with
# the token (or made on its first request), so a request need not look. A token's requester
# never changes once made (one per token; retention keeps requesters of API tokens), so
# this may outlive the token's entry above; only a token found active is ever answered.
_requesters: dict[str, int] = {}


def cache_seconds() -> float:
    return float(getattr(settings, "HAVEN_API_TOKEN_CACHE_SECONDS", DEFAULT_CACHE_SECONDS))


def _clock() -> float:
    return time.monotonic()


def _looked_up(token_hash: str) -> ApiToken | None:
    # The requester that stands for the partner system comes in the same query (None before
    # the token's first request).
    found = (
        ApiToken.objects.select_related("organization")
        .annotate(
            requester_pk=Subquery(Requester.objects.filter(api_token=OuterRef("pk")).values("pk"))
        )
        .filter(token_hash=token_hash, revoked_at__isnull=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()))
        .filter(Q(issued_to__isnull=True) | Q(issued_to__is_active=True))
        .first()
    )
    if found is not None and found.requester_pk is not None:
        requester_remembered(found, found.requester_pk)
    return found


def active_token(raw_token: str) -> ApiToken | None:
    raw_token = raw_token.strip()
    if not raw_token or len(raw_token) > _MAX_TOKEN_LENGTH:
        return None
    # Looked up by hash, so timing reveals nothing about stored tokens.
    token_hash = ApiToken.hash_secret(raw_token)
    now = _clock()
    generation = api_token_state.generation()
    cached = _active.get(token_hash)
    if cached is not None and cached[0] > now and cached[1] == generation:
        remembered = cached[2]
        if remembered.expires_at is None or remembered.expires_at > timezone.now():
            return remembered
    token = _looked_up(token_hash)
    if token is None:
        _active.pop(token_hash, None)
        return None
    api_token_state.last_used_touch(token)
    if len(_active) >= _CACHE_LIMIT:
        _active.clear()
        _requesters.clear()
    seconds = cache_seconds()
    if seconds > 0:
        _active[token_hash] = (now + seconds, generation, token)
    return token


def _scope_for(request: HttpRequest) -> str:
    # Reading (the list) needs requests:read; anything that writes needs requests:write.
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return ApiScope.REQUESTS_READ
    return ApiScope.REQUESTS_WRITE


def token_requester_id(token: ApiToken) -> int | None:
    """The requester standing for an active token's partner system, if known in this process
    (None before the token's first request made it)."""
    return _requesters.get(token.token_hash)


def requester_remembered(token: ApiToken, requester_id: int) -> None:
    """After the token's first request made its requester: later requests need not look."""
    _requesters[token.token_hash] = requester_id


@receiver(post_save, sender=ApiToken)
@receiver(post_delete, sender=ApiToken)
def _token_changed(sender: Any, instance: ApiToken, **kwargs: Any) -> None:
    _active.pop(instance.token_hash, None)
    _requesters.pop(instance.token_hash, None)


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>`; request.auth becomes the ApiToken.

    Missing, unknown and revoked tokens get the same 401, so the answer tells an
    attacker nothing about which tokens exist.
    """

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found = active_token(token)
        # A token without the scope is refused like an unknown one.
        if found is None or _scope_for(request) not in (found.scopes or []):
            return None
        return found
