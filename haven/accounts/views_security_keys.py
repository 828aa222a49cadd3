"""Security keys and passkeys: the JSON endpoints haven/static/js/webauthn.js calls, and removal.

Under /accounts/two-factor/, so the second-factor middleware lets a password-only session reach
them; each view checks for itself what the session may do: register a key when the account has
no factor yet (the first log-in) or the session is verified, use a key to verify, remove a key
only from a verified session.

Errors answer {"error": "words for the person"} with a 4xx status; success {"redirect": url}
(or the options, {"publicKey": …}). Nothing personal goes into these answers.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import security_keys, two_factor
from .models import User
from .views_two_factor import RECOVERY_CODES_SESSION_KEY, safe_next

STATE_SESSION_KEY = "haven_webauthn_ceremony"


def _json_error(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _body(request: HttpRequest) -> dict[str, Any] | None:
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


def _json_view(view: Callable[[HttpRequest, User, dict[str, Any]], HttpResponse]) -> Any:
    """POST with a JSON body from a logged-in user; a JSON error otherwise, never a log-in page
    the script cannot read."""

    @never_cache
    @require_POST
    def wrapped(request: HttpRequest) -> HttpResponse:
        if not request.user.is_authenticated:
            return _json_error(_("Your session has ended. Log in again."), status=401)
        data = _body(request)
        if data is None:
            return _json_error(_("The browser sent something Haven could not read. Try again."))
        assert isinstance(request.user, User)
        return view(request, request.user, data)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _may_register(request: HttpRequest, user: User) -> bool:
    # The first key needs nothing more than the password (there is nothing to verify with yet);
    # another needs a verified session, or a stolen password would be enough to add one.
    return not two_factor.has_confirmed_factor(user) or two_factor.session_is_verified(request)


def _ceremony_start(request: HttpRequest, state: dict[str, Any]) -> None:
    request.session[STATE_SESSION_KEY] = state


def _ceremony_take(request: HttpRequest) -> object:
    """The challenge leaves the session before the answer is checked, and the session is saved
    at once: even an answer that fails halfway cannot be tried again with the same challenge."""
    state = request.session.pop(STATE_SESSION_KEY, None)
    request.session.save()
    return state


@_json_view
def register_options(request: HttpRequest, user: User, data: dict[str, Any]) -> HttpResponse:
    if not _may_register(request, user):
        return _json_error(_("Verify your second step first, then add a key."), status=403)
    name = " ".join(str(data.get("name", "")).split())
    problem = security_keys.name_problem(name)
    if problem:
        return _json_error(problem)
    options = security_keys.key_registration_options(request=request, user=user)
    _ceremony_start(
        request,
        security_keys.ceremony_state(
            ceremony=security_keys.REGISTER, user=user, options=options, name=name
        ),
    )
    return JsonResponse({"publicKey": options})


@_json_view
def register(request: HttpRequest, user: User, data: dict[str, Any]) -> HttpResponse:
    state = _ceremony_take(request)
    if not _may_register(request, user):
        return _json_error(_("Verify your second step first, then add a key."), status=403)
    result = security_keys.key_register(
        request=request, user=user, state=state, credential=data.get("credential")
    )
    if result.device is None:
        return _json_error(result.message)
    if not two_factor.session_is_verified(request):
        # The first factor of the account: this session has just proved it holds the key.
        two_factor.session_mark_verified(request, user=user, device=result.device)
    if result.recovery_codes:
        request.session[RECOVERY_CODES_SESSION_KEY] = result.recovery_codes
        return JsonResponse({"redirect": reverse("accounts:two_factor_recovery_codes")})
    messages.success(request, _("The key “%(name)s” was added.") % {"name": result.device.name})
    return JsonResponse({"redirect": reverse("accounts:two_factor_enrol")})


@_json_view
def authenticate_options(request: HttpRequest, user: User, data: dict[str, Any]) -> HttpResponse:
    if two_factor.session_is_verified(request):
        return JsonResponse({"redirect": safe_next(request, str(data.get("next", "")))})
    if not security_keys.has_key(user):
        return _json_error(_("No key is registered to your account. Type a code instead."))
    options = security_keys.key_authentication_options(request=request, user=user)
    _ceremony_start(
        request,
        security_keys.ceremony_state(
            ceremony=security_keys.AUTHENTICATE, user=user, options=options
        ),
    )
    return JsonResponse({"publicKey": options})


@_json_view
def authenticate(request: HttpRequest, user: User, data: dict[str, Any]) -> HttpResponse:
    state = _ceremony_take(request)
    result = security_keys.key_authenticate(
        request=request, user=user, state=state, credential=data.get("credential")
    )
    if result.device is None:
        return _json_error(result.message)
    two_factor.session_mark_verified(request, user=user, device=result.device)
    return JsonResponse({"redirect": safe_next(request, str(data.get("next", "")))})


@login_required
@require_POST
def register_without_script(request: HttpRequest) -> HttpResponse:
    """The add-a-key form posted without JavaScript: a key needs the browser's script."""
    messages.error(request, _("Adding a key needs JavaScript. Turn it on, or use another browser."))
    return redirect("accounts:two_factor_enrol")


@login_required
@require_POST
def remove(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    if not two_factor.session_is_verified(request):
        return redirect("accounts:two_factor_verify")
    result = security_keys.key_remove(user=user, key_id=pk)
    if result.removed:
        two_factor.session_keep_verified(request, user=user)
        messages.success(request, result.message)
    else:
        messages.error(request, result.message)
    return redirect("accounts:two_factor_enrol")
