"""Log-in delays per user name, across addresses: exponential, never a hard lock.

A hard lock after N failures lets anyone lock any member of staff out by typing their user
name wrongly N times. Instead, after HAVEN_LOGIN_DELAY_AFTER_FAILURES failures for a user name
(from any address: behind a proxy, or from a botnet, addresses say little), each further
attempt must wait 2^k seconds after the last failure (k = 1, 2, 3…, at most
HAVEN_LOGIN_MAX_DELAY_SECONDS), and only one attempt is let through each time the wait is
over. An attempt inside the wait is refused with the same generic message as a wrong
password, even when the password is right, so a guesser learns nothing; it does not count as
a failure, so staff can still log in once the wait is over. A success forgets the failures.

Counted in Django's default cache, which is shared by every server process (the database
cache by default, Redis with HAVEN_CACHE_URL). django-axes still locks one address guessing
against one user name (AXES_LOCKOUT_PARAMETERS).
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.http import HttpRequest

# How long failures are remembered after the last one.
_MEMORY_SECONDS = 24 * 60 * 60
_DELAYED = "_haven_login_delayed"


def _key(username: str) -> str:
    # Hashed: bounded length for any user name typed, and no user names in the cache table.
    digest = hashlib.sha256(username.strip().casefold().encode()).hexdigest()[:32]
    return f"login-delay:{digest}"


def delay_for(failures: int) -> float:
    """Seconds an attempt must wait after the last of `failures` failures."""
    free = int(getattr(settings, "HAVEN_LOGIN_DELAY_AFTER_FAILURES", 5))
    if failures < free:
        return 0.0
    ceiling = float(getattr(settings, "HAVEN_LOGIN_MAX_DELAY_SECONDS", 900))
    return min(2.0 ** min(failures - free + 1, 30), ceiling)


def attempt_allowed(username: str) -> bool:
    """Whether an attempt for this user name may be checked now (and, when failures have
    made it wait, claim the one attempt allowed once the wait is over)."""
    failures, last = cache.get(_key(username), (0, 0.0))
    wait = delay_for(failures)
    if not wait:
        return True
    if time.time() < last + wait:
        return False
    # One attempt per wait, however many processes try at once: add() is atomic.
    return bool(cache.add(f"{_key(username)}:{failures}", 1, timeout=int(wait) + 1))


def failure_record(username: str) -> None:
    failures, _last = cache.get(_key(username), (0, 0.0))
    cache.set(_key(username), (failures + 1, time.time()), timeout=_MEMORY_SECONDS)


def failures_forget(username: str) -> None:
    cache.delete(_key(username))


class LoginDelayBackend:
    """An authentication backend that authenticates nobody: listed before ModelBackend, it
    refuses (PermissionDenied stops Django trying the next backends) an attempt inside the
    user name's wait, and the form shows its usual message."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, **kwargs: Any
    ) -> None:
        if username is None or attempt_allowed(str(username)):
            return None
        if request is not None:
            setattr(request, _DELAYED, True)  # not a failure of its own (see below)
        raise PermissionDenied

    # No get_user: a session is never this backend's (and the test client's force_login
    # takes the first backend that has one).


@receiver(user_login_failed)
def _failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    username = credentials.get("username")
    if username is None or getattr(request, _DELAYED, False):
        return
    failure_record(str(username))


@receiver(user_logged_in)
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    failures_forget(user.get_username())
