"""Makes the current request's user and address available to audit_record.

Services take the actor explicitly; the address is ambient context that only
the audit trail needs, so it travels in a context variable instead of through
every service signature.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

from haven.common.client import client_address

current_ip: ContextVar[str | None] = ContextVar("haven_current_ip", default=None)


def client_ip(request: HttpRequest) -> str | None:
    # The one rule for every address Haven reads (HAVEN_TRUSTED_PROXY_COUNT): haven.common.
    return client_address(request)


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_ip.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            current_ip.reset(token)
