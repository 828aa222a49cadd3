"""Placing and lifting a legal hold from the case page (the panel in panels.py)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from haven.accounts import permissions
from haven.accounts.models import User
from haven.cases.models import Case
from haven.cases.selectors import case_get

from . import services
from .forms import LegalHoldForm


def _checked(request: HttpRequest, case_id: int) -> tuple[User, Case, LegalHoldForm]:
    user = request.user
    assert isinstance(user, User)
    if not permissions.can_merge_cases(user):
        raise PermissionDenied
    case = case_get(user=user, case_id=case_id)
    return user, case, LegalHoldForm(request.POST)


def _form_errors(request: HttpRequest, form: LegalHoldForm) -> None:
    if form.has_error("reason"):
        messages.error(request, _("Give a reason for the legal hold."))
    if form.has_error("confirm"):
        messages.error(request, _("Tick the box to confirm."))


@login_required
@require_POST
def hold_set(request: HttpRequest, case_id: int) -> HttpResponse:
    user, case, form = _checked(request, case_id)
    if not form.is_valid():
        _form_errors(request, form)
    else:
        try:
            services.legal_hold_set(case=case, actor=user, reason=form.cleaned_data["reason"])
            messages.success(request, _("Legal hold placed: retention will not erase this case."))
        except services.RetentionError as exc:
            messages.error(request, str(exc))
    return redirect("cases:detail", case_id)


@login_required
@require_POST
def hold_release(request: HttpRequest, case_id: int) -> HttpResponse:
    user, case, form = _checked(request, case_id)
    if not form.is_valid():
        _form_errors(request, form)
    elif services.legal_hold_release(case=case, actor=user, reason=form.cleaned_data["reason"]):
        messages.success(request, _("Legal hold lifted."))
    else:
        messages.error(request, _("This case had no legal hold."))
    return redirect("cases:detail", case_id)
