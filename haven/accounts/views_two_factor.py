"""Second-factor pages: verify at each log-in, enrol at the first (an app or a key), manage keys,
recovery codes shown once. The key ceremonies themselves are in views_security_keys.py."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from django_otp.plugins.otp_static.models import StaticDevice

from . import security_keys, two_factor
from .models import User

RECOVERY_CODES_SESSION_KEY = "haven_recovery_codes_to_show"


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autofocus": True,
                # Digits and Latin letters: read left to right in Dari and Pashto too.
                "dir": "ltr",
                "spellcheck": "false",
                "autocapitalize": "off",
            }
        ),
    )


class KeyNameForm(forms.Form):
    """The name of a key being added; the script sends it with the options request."""

    name = forms.CharField(
        label=gettext_lazy("Name of this key"),
        help_text=gettext_lazy("For example “Blue key” or “Office laptop”."),
        max_length=security_keys.NAME_MAX_LENGTH,
        widget=forms.TextInput(attrs={"dir": "auto", "autocomplete": "off"}),
    )


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def safe_next(request: HttpRequest, target: str) -> str:
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


def _next(request: HttpRequest) -> str:
    return safe_next(request, request.POST.get("next") or request.GET.get("next") or "")


def _keys_context(request: HttpRequest, user: User) -> dict[str, object]:
    return {
        "keys": list(security_keys.keys_of(user)),
        "key_origin_ok": security_keys.origin_allowed(request),
        "key_origin": (settings.HAVEN_WEBAUTHN_ORIGINS or [""])[0],
        "key_form": KeyNameForm(prefix="key"),
    }


@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not two_factor.has_confirmed_factor(user):
        return redirect("accounts:two_factor_enrol")
    if two_factor.session_is_verified(request):
        return redirect(_next(request))
    form = CodeForm(request.POST or None)
    locked_until = None
    if request.method == "POST" and form.is_valid():
        result = two_factor.second_factor_verify(user=user, code=form.cleaned_data["code"])
        if result.device is not None:
            two_factor.session_mark_verified(request, user=user, device=result.device)
            if isinstance(result.device, StaticDevice):
                left = two_factor.recovery_codes_left(user)
                messages.warning(
                    request,
                    _("You used a recovery code. %(left)s are left.") % {"left": left},
                )
            return redirect(_next(request))
        locked_until = result.locked_until
        if locked_until is None:
            form.add_error("code", _("That code is not right, or it was already used."))
    status = 429 if locked_until is not None else 200
    return render(
        request,
        "accounts/two_factor_verify.html",
        {
            "form": form,
            "next": _next(request),
            "locked_until": locked_until,
            "has_app": two_factor.totp_device_confirmed(user) is not None,
            **_keys_context(request, user),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    # Enrolling again (a new phone) needs a verified session; the first enrolment does not
    # (there is nothing to verify with yet).
    if two_factor.has_confirmed_factor(user) and not two_factor.session_is_verified(request):
        return redirect("accounts:two_factor_verify")
    managing = two_factor.has_confirmed_factor(user)
    device = two_factor.totp_enrolment_start(user=user)
    form = CodeForm(request.POST or None)
    if managing:
        # Someone managing their keys has not come here to type a code: no jump to the field.
        form.fields["code"].widget.attrs.pop("autofocus", None)
    if request.method == "POST" and form.is_valid():
        result = two_factor.totp_enrolment_confirm(user=user, code=form.cleaned_data["code"])
        if result.device is not None:
            two_factor.session_mark_verified(request, user=user, device=result.device)
            request.session[RECOVERY_CODES_SESSION_KEY] = result.recovery_codes
            return redirect("accounts:two_factor_recovery_codes")
        form.add_error("code", _("That code is not right. Check the time on your phone."))
    return render(
        request,
        "accounts/two_factor_enrol.html",
        {
            "form": form,
            "qr_svg": two_factor.totp_qr_svg(device),
            "secret": two_factor.totp_secret_base32(device),
            "managing": managing,
            "has_app": two_factor.totp_device_confirmed(user) is not None,
            "recovery_codes_left": two_factor.recovery_codes_left(user),
            **_keys_context(request, user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """Shows freshly issued codes once; POST (from a verified session) issues new ones."""
    user = _user(request)
    if not two_factor.session_is_verified(request):
        return redirect("accounts:two_factor_verify")
    if request.method == "POST":
        request.session[RECOVERY_CODES_SESSION_KEY] = two_factor.recovery_codes_regenerate(
            user=user
        )
        return redirect("accounts:two_factor_recovery_codes")
    codes = request.session.pop(RECOVERY_CODES_SESSION_KEY, None)
    return render(
        request,
        "accounts/two_factor_recovery_codes.html",
        {"codes": codes, "left": two_factor.recovery_codes_left(user)},
    )
