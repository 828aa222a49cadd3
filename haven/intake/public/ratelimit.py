"""A fixed-window counter per client address, in Django's cache.

The default LocMemCache counts per process; with several workers the effective
limit is per worker, which is still enough to make guessing a 128-bit secret pointless.
A shared cache (Redis, database) makes it exact.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache


def _limit() -> int:
    return int(getattr(settings, "HAVEN_STATUS_LOOKUP_LIMIT", 10))


def _window_seconds() -> int:
    return int(getattr(settings, "HAVEN_STATUS_LOOKUP_WINDOW", 600))


def status_lookup_allowed(*, address: str | None) -> bool:
    """Count one look-up from this address; False once the limit for the window is passed."""
    key = f"haven:status-lookup:{address or 'unknown'}"
    # add() starts the window only if none is running, so the window does not slide.
    cache.add(key, 0, timeout=_window_seconds())
    try:
        count = cache.incr(key)
    except ValueError:  # the window expired between add() and incr()
        cache.set(key, 1, timeout=_window_seconds())
        count = 1
    return count <= _limit()
