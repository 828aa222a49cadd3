"""Makes the current request's user and address available to audit_record, and audits
every denial.

Services take the actor explicitly; the address is ambient context that only
the audit trail needs, so it travels in a context variable instead of through
every service signature.

Denials (403) and 404s raised by a view (a probe for an object outside what the user
may see) are audited here, once per request, so that no view can forget: an attacker
walking ids shows in the trail as surely as a reader does.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from haven.common.client import client_address

current_ip: ContextVar[str | None] = ContextVar("haven_current_ip", default=None)
# Set when the request's denial is already on the trail (a service recorded its own).
denial_recorded: ContextVar[bool] = ContextVar("haven_denial_recorded", default=False)


def client_ip(request: HttpRequest) -> str | None:
    # The one rule for every address Haven reads (HAVEN_TRUSTED_PROXY_COUNT): haven.common.
    return client_address(request)


def denial_record(request: HttpRequest, status: int) -> None:
    """One DENIED event for this request: who, which view and object, never the query
    string (it may hold a searched name)."""
    from .models import AuditAction
    from .services import audit_record

    if denial_recorded.get():
        return
    match = request.resolver_match
    view = match.view_name if match is not None else ""
    object_id = ",".join(str(v) for v in match.kwargs.values())[:64] if match else ""
    label = "Forbidden" if status == 403 else "Not found"
    audit_record(
        actor=getattr(request, "user", None),
        action=AuditAction.DENIED,
        object_type=view[:64],
        object_id=object_id,
        summary=f"{status} {label}: {request.method} {request.path}"[:300],
        details={"status": status, "method": request.method, "path": request.path[:200]},
    )


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_ip.set(client_ip(request))
        recorded = denial_recorded.set(False)
        try:
            response = self.get_response(request)
            # A 403 answered without an exception (the API, a CSRF failure) is a denial too.
            if response.status_code == 403:
                denial_record(request, 403)
            return response
        finally:
            denial_recorded.reset(recorded)
            current_ip.reset(token)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if isinstance(exception, PermissionDenied):
            denial_record(request, 403)
        elif isinstance(exception, Http404):
            denial_record(request, 404)
        # None: Django goes on to answer 403/404 as before.
