"""The unread-alerts count in the main menu (a context processor).

The count is kept on the user row (User.unread_alerts, by cases.alerts when alerts are raised
and by services_tasks.alerts_mark_read), which every request reads anyway: the menu adds no
query to any page, so list pages keep their pinned number of queries.
"""

from __future__ import annotations

from django.http import HttpRequest

from haven.accounts import permissions, two_factor


def alert_count(request: HttpRequest) -> dict[str, int | None]:
    user = getattr(request, "user", None)
    if (
        user is None
        or not permissions.can_view_cases(user)
        or not two_factor.session_is_verified(request)
    ):
        return {"alert_count": None}
    return {"alert_count": int(getattr(user, "unread_alerts", 0))}
