"""What every process serving the API must agree on about tokens, kept in Django's cache.

The API remembers active tokens per process for a few seconds (haven/intake/api/auth.py). A
revocation, or the deactivation of a token's holder, moves this generation: a process whose
remembered token carries another generation reads it again from the database. With a shared
cache (HAVEN_CACHE_URL, Redis) that holds for every process at once; with the default
per-process cache, for the process that revoked, and within HAVEN_API_TOKEN_CACHE_SECONDS for
the others.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.core.cache import cache
from django.utils import timezone

if TYPE_CHECKING:
    from .models_api import ApiToken

_GENERATION_KEY = "haven:api-token-generation"
# last_used_at is for people ("used 3 minutes ago"): once a minute per token is plenty, and
# keeps a surge of thousands of requests a minute from writing the row each time.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def generation() -> int:
    value = cache.get(_GENERATION_KEY)
    return int(value) if value is not None else 0


def generation_bump() -> None:
    try:
        cache.incr(_GENERATION_KEY)
    except ValueError:  # not set yet (or evicted): any new value differs from what was read
        cache.set(_GENERATION_KEY, generation() + 1, timeout=None)


def last_used_touch(token: ApiToken) -> None:
    from .models_api import ApiToken

    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return
    token.last_used_at = now
    # update(), not save(): a use is not a change of the token (no signal, no audit event).
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
