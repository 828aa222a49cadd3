"""Per-token rate limits, counted by django-ratelimit in Django's shared cache.

A fixed one-minute window per token, on the clock minute: cheap (one cache increment per
request) and predictable for partners. django-ratelimit does the counting (`get_usage`) in
the cache named by RATELIMIT_USE_CACHE, which must be one for every server process
(a database table by default, Redis with HAVEN_CACHE_URL; `haven check --deploy` refuses a
per-process cache). What stays ours: the limit per token (`haven token create --rate-limit N`,
0 = unlimited) and the Retry-After partners are told.
"""

from __future__ import annotations

import threading

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import get_usage
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


def _no_stagger(group: str, request: HttpRequest) -> str:
    # django-ratelimit staggers the end of each window by a hash (CRC32) of this value, and
    # the hash of "" is 0: with the token in the group and this empty value, every token's
    # window is the clock minute, as the API docs and Retry-After have always told partners.
    return ""


def _group(token: ApiToken) -> str:
    # The token's hash, not its id: ids are reused after a test rollback, hashes never.
    return f"haven:api:rate:{token.token_hash[:24]}"


def seconds_refused(token: ApiToken, request: HttpRequest) -> int | None:
    """Count this request against the token's limit: None if it is within the limit, else
    the seconds until the window ends (for Retry-After, at least 1)."""
    limit = limit_for(token)
    if limit <= 0:
        return None  # 0 means unlimited, e.g. for a load test
    usage = get_usage(
        request,
        group=_group(token),
        key=_no_stagger,
        rate=(limit, WINDOW_SECONDS),
        increment=True,
    )
    if usage is None or not usage["should_limit"]:
        return None
    return max(int(usage["time_left"]), 1)


class TokenRateThrottle(BaseThrottle):
    def __init__(self) -> None:
        # One instance serves every request; the wait belongs to the current thread's request.
        self._local = threading.local()

    def allow_request(self, request: HttpRequest) -> bool:
        token = getattr(request, "auth", None)
        if not isinstance(token, ApiToken):
            return True
        self._local.wait = seconds_refused(token, request)
        return self._local.wait is None

    def wait(self) -> float | None:
        return getattr(self._local, "wait", None)
