"""Status look-ups per client address, counted by django-ratelimit in Django's shared cache.

A fixed window (HAVEN_STATUS_LOOKUP_WINDOW seconds, ten minutes by default) with at most
HAVEN_STATUS_LOOKUP_LIMIT look-ups from one address; django-ratelimit staggers where each
address's window ends. The cache is one for every server process (a database table by
default, Redis with HAVEN_CACHE_URL; `haven check --deploy` refuses a per-process cache), so
the limit is exact however many workers serve the page.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import get_usage

GROUP = "haven:status-lookup"


def _limit() -> int:
    return int(getattr(settings, "HAVEN_STATUS_LOOKUP_LIMIT", 10))


def _window_seconds() -> int:
    return int(getattr(settings, "HAVEN_STATUS_LOOKUP_WINDOW", 600))


def status_lookup_allowed(*, address: str | None) -> bool:
    """Count one look-up from this address; False once the limit for the window is passed."""

    def by_address(group: str, request: HttpRequest | None) -> str:
        # The address client_ip found behind the trusted proxies (haven.audit.middleware),
        # not django-ratelimit's own reading of REMOTE_ADDR (which would be the proxy's).
        return address or "unknown"

    usage = get_usage(
        None,  # no request is read: the key is the address given, for every method
        group=GROUP,
        key=by_address,
        rate=(_limit(), _window_seconds()),
        increment=True,
    )
    return usage is None or not usage["should_limit"]
