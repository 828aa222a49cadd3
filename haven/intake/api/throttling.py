"""Per-token rate limits, counted in Django's cache.

A fixed one-minute window per token: cheap (one cache increment per request) and
predictable for partners. The count lives in the cache named by
HAVEN_API_RATE_LIMIT_CACHE; with the default per-process cache each server process
counts on its own, so a shared cache makes the limit exact.
"""

from __future__ import annotations

import threading
import time

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest
from ninja.throttling import BaseThrottle

from haven.accounts.models import ApiToken

WINDOW_SECONDS = 60
DEFAULT_PER_MINUTE = 600


def default_limit() -> int:
    return int(getattr(settings, "HAVEN_API_RATE_LIMIT_PER_MINUTE", DEFAULT_PER_MINUTE))


def limit_for(token: ApiToken) -> int:
    if token.rate_limit_per_minute is not None:
        return token.rate_limit_per_minute
    return default_limit()


def _cache_key(token: ApiToken, window: int) -> str:
    # The token's hash, not its id: ids are reused after a test rollback, hashes never.
    return f"haven:api:rate:{token.token_hash[:24]}:{window}"


def _count_hit(key: str) -> int:
    cache = caches[getattr(settings, "HAVEN_API_RATE_LIMIT_CACHE", "default")]
    cache.add(key, 0, timeout=WINDOW_SECONDS * 2)
    try:
        return int(cache.incr(key))
    except ValueError:
        # The key expired between add and incr: this is the window's first hit.
        cache.set(key, 1, timeout=WINDOW_SECONDS * 2)
        return 1


class TokenRateThrottle(BaseThrottle):
    def __init__(self) -> None:
        # One instance serves every request; the wait belongs to the current thread's request.
        self._local = threading.local()

    def allow_request(self, request: HttpRequest) -> bool:
        token = getattr(request, "auth", None)
        if not isinstance(token, ApiToken):
            return True
        limit = limit_for(token)
        if limit <= 0:
            return True  # 0 means unlimited, e.g. for a load test
        now = time.time()
        window = int(now // WINDOW_SECONDS)
        self._local.wait = (window + 1) * WINDOW_SECONDS - now
        return _count_hit(_cache_key(token, window)) <= limit

    def wait(self) -> float | None:
        return getattr(self._local, "wait", None)
