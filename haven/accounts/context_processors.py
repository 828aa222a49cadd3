from __future__ import annotations

from django.http import HttpRequest

from . import permissions


def role(request: HttpRequest) -> dict[str, bool]:
    """Lets templates show only the links a user may follow."""
    user = request.user
    return {
        "can_enter_requests": permissions.can_enter_requests(user),
        "can_view_cases": permissions.can_view_cases(user),
        "can_work_cases": permissions.can_work_cases(user),
        "can_read_audit": permissions.can_read_audit(user),
    }
