"""The unread-alerts count in the main menu (a context processor).

Alerts are raised by the periodic job, at most once a minute, so the count is kept in the
session for a minute instead of counted on every page: list pages keep their pinned number
of queries, and the menu is never more than a tick behind. Marking alerts read forgets it.
"""

from __future__ import annotations

import time

from django.http import HttpRequest

from haven.accounts import permissions, two_factor

SESSION_KEY = "haven_alert_count"
SECONDS = 60


def alert_count_forget(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)


def alert_count(request: HttpRequest) -> dict[str, int | None]:
    user = getattr(request, "user", None)
    if (
        user is None
        or not permissions.can_view_cases(user)
        or not two_factor.session_is_verified(request)
    ):
        return {"alert_count": None}
    cached = request.session.get(SESSION_KEY)
    now = time.time()
    if isinstance(cached, list) and len(cached) == 2 and now - float(cached[1]) < SECONDS:
        return {"alert_count": int(cached[0])}
    from .selectors_tasks import alerts_unread_count

    count = alerts_unread_count(user=user)
    request.session[SESSION_KEY] = [count, now]
    return {"alert_count": count}
