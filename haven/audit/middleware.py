"""Makes the current request's user and address available to audit_record.

Services take the actor explicitly; the address is ambient context that only
the audit trail needs, so it travels in a context variable instead of through
every service signature.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

current_ip: ContextVar[str | None] = ContextVar("haven_current_ip", default=None)


def client_ip(request: HttpRequest) -> str | None:
    # REMOTE_ADDR only: X-Forwarded-For is client-controlled unless a trusted proxy rewrites it,
    # and a proxy deployment sets REMOTE_ADDR correctly (e.g. gunicorn --forwarded-allow-ips).
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_ip.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            current_ip.reset(token)
