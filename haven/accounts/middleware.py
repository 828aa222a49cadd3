"""No page with personal data for a session that has not passed the second factor.

Installed after AuthenticationMiddleware. An authenticated session that has not verified is
sent to verification (or to enrolment, at the first log-in) from every address except those
that must work without it: log-in and the second-factor pages themselves, the public pages
(application form, status look-up, health check), language switching, static files and the
token-authenticated API (a partner system has no second factor; its token is the credential).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode

from . import two_factor

# Prefixes of paths a password-only session may still open. Everything else needs the factor.
DEFAULT_EXEMPT_PREFIXES = (
    "/accounts/login/",
    "/accounts/logout/",
    "/accounts/two-factor/",
    "/accounts/welcome/",
    "/apply/",
    "/status/",
    "/healthz",
    "/i18n/",
    "/api/",
)


def exempt_prefixes() -> tuple[str, ...]:
    static = "/" + settings.STATIC_URL.lstrip("/")
    extra = tuple(getattr(settings, "HAVEN_SECOND_FACTOR_EXEMPT_PREFIXES", ()))
    return (*DEFAULT_EXEMPT_PREFIXES, static, *extra)


def is_exempt(path: str) -> bool:
    return path.startswith(exempt_prefixes())


class SecondFactorRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.user.is_authenticated
            and not is_exempt(request.path_info)
            and not two_factor.session_is_verified(request)
        ):
            target = reverse("accounts:two_factor_verify")
            if request.method == "GET":
                target += "?" + urlencode({"next": request.get_full_path()})
            response = HttpResponseRedirect(target)
            # htmx follows a redirect inside the fragment; tell it to load the whole page.
            if request.headers.get("HX-Request"):
                response["HX-Redirect"] = target
            return response
        return self.get_response(request)
