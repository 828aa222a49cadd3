"""The client's address: the one function every part of Haven asks (audit trail, the status
page's and log-in limits, django-axes through AXES_CLIENT_IP_CALLABLE).

Behind a reverse proxy every request comes from the proxy; the client's own address is in
X-Forwarded-For, which each proxy appends to. Only the entries written by proxies we run can
be believed (a client can send any X-Forwarded-For it likes), so HAVEN_TRUSTED_PROXY_COUNT
says how many proxies stand in front of Haven: with N, the client is the address N places
from the right of "X-Forwarded-For entries, then REMOTE_ADDR". With 0 (the default, and right
when nothing stands in front), X-Forwarded-For is ignored. Haven must then be reachable only
through those proxies: a client that reaches it directly could claim any address.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _address(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str | None:
    """The address of whoever sent this request, as far as the trusted proxies say; None
    when it is not a valid address."""
    remote = request.META.get("REMOTE_ADDR") or ""
    trusted = int(getattr(settings, "HAVEN_TRUSTED_PROXY_COUNT", 0))
    if trusted <= 0:
        return _address(remote)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop for hop in (h.strip() for h in forwarded.split(",")) if hop] + [remote]
    # More proxies configured than hops seen: the leftmost is the best there is.
    return _address(hops[max(0, len(hops) - 1 - trusted)])
