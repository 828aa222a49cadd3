"""Staff sessions end when idle, and at a fixed time after log-in however active.

Django's SESSION_COOKIE_AGE alone slides (a session saved again gets a new expiry) and knows
nothing of idleness, so both are kept in the session itself: when it began (set at log-in,
never moved) and when it was last used. A request after either limit logs the user out
(audited as a log-out) and sends them to the log-in page with a message; an htmx request is
told to load the log-in page instead of swapping it into a fragment.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

STARTED = "haven_session_started"
LAST_SEEN = "haven_session_last_seen"
# Write "last seen" at most this often: a session saved on every request costs a write each.
_TOUCH_EVERY = 60.0


def idle_seconds() -> float:
    return float(getattr(settings, "HAVEN_SESSION_IDLE_MINUTES", 30)) * 60


def lifetime_seconds() -> float:
    return float(getattr(settings, "HAVEN_SESSION_MAX_HOURS", 12)) * 3600


@receiver(user_logged_in)
def _session_started(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[STARTED] = now
        request.session[LAST_SEEN] = now


def session_expired(session: Any, now: float) -> str | None:
    """Why this session is over ("idle" or "lifetime"), or None while it may go on."""
    started = session.get(STARTED)
    last = session.get(LAST_SEEN, started)
    if started is None:  # a session from before these limits: begins now
        return None
    if now - float(started) > lifetime_seconds():
        return "lifetime"
    if last is not None and now - float(last) > idle_seconds():
        return "idle"
    return None


class SessionTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            reason = session_expired(request.session, now)
            if reason is not None:
                return self._ended(request, reason)
            if STARTED not in request.session:
                request.session[STARTED] = now
            if now - float(request.session.get(LAST_SEEN, 0)) >= _TOUCH_EVERY:
                request.session[LAST_SEEN] = now
        return self.get_response(request)

    def _ended(self, request: HttpRequest, reason: str) -> HttpResponse:
        logout(request)
        if reason == "idle":
            text = _("You were logged out after %(minutes)d minutes without activity.") % {
                "minutes": round(idle_seconds() / 60)
            }
        else:
            text = _("Your session ended %(hours)d hours after you logged in.") % {
                "hours": round(lifetime_seconds() / 3600)
            }
        messages.info(request, text + " " + _("Please log in again."))
        response = redirect_to_login(request.get_full_path())
        if request.headers.get("HX-Request"):
            # htmx would swap the log-in page into a fragment: have it load the page instead.
            response["HX-Redirect"] = response["Location"]
        return response
