"""Bearer-token authentication for partner systems."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from haven.accounts.models import ApiToken

# Longer than any token we issue; anything longer is refused without hashing it.
_MAX_TOKEN_LENGTH = 200


def active_token(raw_token: str) -> ApiToken | None:
    raw_token = raw_token.strip()
    if not raw_token or len(raw_token) > _MAX_TOKEN_LENGTH:
        return None
    # Looked up by hash, so timing reveals nothing about stored tokens.
    return (
        ApiToken.objects.select_related("organization")
        .filter(token_hash=ApiToken.hash_secret(raw_token), revoked_at__isnull=True)
        .first()
    )


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>`; request.auth becomes the ApiToken.

    Missing, unknown and revoked tokens get the same 401, so the answer tells an
    attacker nothing about which tokens exist.
    """

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        return active_token(token)
