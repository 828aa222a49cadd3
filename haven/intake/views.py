from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, get_language_info
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from haven.accounts import permissions
from haven.accounts.models import User

from . import receipt_secrets, walk_in_parts
from .eligibility import EligibilityForm, needed_facts
from .forms import MemberFormSet, PrincipalForm, RequestDetailsForm, build_request_input
from .models import Channel
from .selectors import request_get_for_receipt_page
from .services import request_create, request_secret_reissue


def raw_form_input(request: HttpRequest) -> str:
    """Everything the officer submitted, verbatim, minus the CSRF token."""
    fields = {k: request.POST.getlist(k) for k in request.POST if k != "csrfmiddlewaretoken"}
    return json.dumps(fields, ensure_ascii=False, sort_keys=True)


def _user_id(request: HttpRequest) -> int:
    # login_required guarantees an authenticated User here.
    assert isinstance(request.user, User)
    return request.user.pk


@login_required
@require_http_methods(["GET", "POST"])
def walk_in(request: HttpRequest) -> HttpResponse:
    if not permissions.can_enter_requests(request.user):
        raise PermissionDenied
    extras = walk_in_parts.parts()
    if request.method == "POST":
        details = RequestDetailsForm(request.POST, prefix="request")
        principal = PrincipalForm(request.POST, prefix="principal")
        members = MemberFormSet(request.POST, prefix="members")
        eligibility = EligibilityForm(request.POST, prefix="eligibility", needed=needed_facts())
        extra_forms = [(part, part.form(request.POST, request.FILES)) for part in extras]
        valid = [f.is_valid() for f in (details, principal, members, eligibility)]
        valid += [form.is_valid() for _part, form in extra_forms]
        if all(valid):
            data = build_request_input(
                details=details,
                principal=principal,
                members=list(members),
                channel=Channel.WALK_IN,
                language=get_language() or "",
                facts=eligibility.facts(),
            )
            with transaction.atomic():
                created = request_create(
                    data=data,
                    raw_input=raw_form_input(request),
                    actor=request.user,  # type: ignore[arg-type]
                )
                notices = [
                    line
                    for part, form in extra_forms
                    for line in part.save(form=form, request=created.request, actor=request.user)
                ]
            for line in notices:
                messages.info(request, line)
            receipt_secrets.secret_keep(
                session=request.session,
                receipt_number=created.request.receipt_number,
                secret=created.status_secret,
                user_id=_user_id(request),
            )
            return redirect("intake:receipt", receipt_number=created.request.receipt_number)
        status = 400
    else:
        details = RequestDetailsForm(prefix="request")
        principal = PrincipalForm(prefix="principal")
        members = MemberFormSet(prefix="members")
        eligibility = EligibilityForm(prefix="eligibility", needed=needed_facts())
        extra_forms = [(part, part.form(None, None)) for part in extras]
        status = 200
    context = {
        "details": details,
        "principal": principal,
        "members": members,
        "eligibility": eligibility,
        "extras": [{"template": part.template, "form": form} for part, form in extra_forms],
        "extras_invalid": any(form.is_bound and form.errors for _part, form in extra_forms),
        "multipart": any(part.multipart for part in extras),
    }
    return render(request, "intake/walk_in.html", context, status=status)


def _receipt_language(request: HttpRequest, stored: str) -> str:
    """The language the receipt is printed in: chosen on the receipt (?lang=), else the
    request's own, else the site's; never just the officer's interface language."""
    codes = [code for code, _name in settings.LANGUAGES]
    for choice in (request.GET.get("lang", ""), stored):
        if choice in codes:
            return choice
    return settings.LANGUAGE_CODE


def _status_url(request: HttpRequest) -> str:
    configured: str = settings.HAVEN_PUBLIC_STATUS_URL
    return configured or request.build_absolute_uri(reverse("public:status"))


@login_required
def receipt(request: HttpRequest, receipt_number: str) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    intake_request = request_get_for_receipt_page(user=user, receipt_number=receipt_number)
    # Kept (encrypted, for this officer only) for a few minutes: a reload, a language switch
    # or a second print still shows it; after that only a supervisor's re-issue can.
    secret = receipt_secrets.secret_recall(
        session=request.session, receipt_number=intake_request.receipt_number, user_id=user.pk
    )
    language = _receipt_language(request, intake_request.language)
    languages = [get_language_info(code) | {"code": code} for code, _name in settings.LANGUAGES]
    context = {
        "intake_request": intake_request,
        "status_secret": secret,
        "secret_minutes": receipt_secrets.secret_minutes(),
        "receipt_language": language,
        "receipt_bidi": get_language_info(language)["bidi"],
        "receipt_languages": languages,
        "status_url": _status_url(request),
        "helpline": settings.HAVEN_HELPLINE,
        "can_reissue": permissions.can_reissue_status_secrets(user),
    }
    return render(request, "intake/receipt.html", context)


@login_required
@require_POST
def secret_reissue(request: HttpRequest, receipt_number: str) -> HttpResponse:
    """A supervisor gives the request a new secret; the old one stops working."""
    user = request.user
    assert isinstance(user, User)
    if not permissions.can_reissue_status_secrets(user):
        raise PermissionDenied
    intake_request = request_get_for_receipt_page(user=user, receipt_number=receipt_number)
    secret = request_secret_reissue(request=intake_request, actor=user)
    receipt_secrets.secret_keep(
        session=request.session,
        receipt_number=intake_request.receipt_number,
        secret=secret,
        user_id=user.pk,
    )
    messages.success(
        request, _("A new secret code was issued. The old one no longer works: print this receipt.")
    )
    url = reverse("intake:receipt", args=[intake_request.receipt_number])
    lang = request.POST.get("lang", "")
    return redirect(f"{url}?lang={lang}" if lang in dict(settings.LANGUAGES) else url)
