from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest

from . import permissions, two_factor


def role(request: HttpRequest) -> dict[str, bool]:
    """Lets templates show only the links a user may follow."""
    # A request refused before authentication ran (a bad Host header is refused by
    # CommonMiddleware) still renders the 400 page: it must not become a 500 here.
    user = getattr(request, "user", None) or AnonymousUser()
    if user.is_authenticated and not two_factor.session_is_verified(request):
        # Before the second factor every such link would only lead back to verification.
        user = AnonymousUser()
    return {
        "can_enter_requests": permissions.can_enter_requests(user),
        "can_view_cases": permissions.can_view_cases(user),
        "can_work_cases": permissions.can_work_cases(user),
        "can_read_audit": permissions.can_read_audit(user),
        "can_manage_staff": permissions.can_manage_staff(user),
    }
