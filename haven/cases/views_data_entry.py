"""The data-entry queue and its form (see data_entry.py)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from haven.accounts import permissions
from haven.accounts.models import User
from haven.intake.eligibility import EligibilityForm, needed_facts
from haven.intake.forms import MemberFormSet, PrincipalForm, RequestDetailsForm, build_request_input

from . import data_entry

PAGE_SIZE = 25


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _visible(user: User) -> None:
    if not permissions.can_view_cases(user):
        raise Http404  # partners and accounts without a role: no such page for them


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    _visible(user)
    page = Paginator(data_entry.data_entry_queue(user=user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "cases/data_entry_queue.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def complete(request: HttpRequest, request_id: int) -> HttpResponse:
    user = _user(request)
    _visible(user)
    view = data_entry.data_entry_get(user=user, request_id=request_id)
    status = 200
    if request.method == "POST":
        details = RequestDetailsForm(request.POST, prefix="request")
        principal = PrincipalForm(request.POST, prefix="principal")
        members = MemberFormSet(request.POST, prefix="members")
        eligibility = EligibilityForm(request.POST, prefix="eligibility", needed=needed_facts())
        if all([f.is_valid() for f in (details, principal, members, eligibility)]):
            data = build_request_input(
                details=details,
                principal=principal,
                members=list(members),
                channel=view.request.channel,
                language=view.request.language or get_language() or "",
                facts=eligibility.facts(),
            )
            try:
                case = data_entry.request_data_entry_complete(
                    request=view.request, actor=user, data=data
                )
            except ValidationError as error:
                principal.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("Entered: %(receipt)s is in %(case)s.")
                    % {"receipt": view.request.receipt_number, "case": case.reference},
                )
                return redirect("cases:data_entry")
        status = 400
    else:
        details = RequestDetailsForm(prefix="request")
        principal = PrincipalForm(prefix="principal")
        members = MemberFormSet(prefix="members")
        eligibility = EligibilityForm(prefix="eligibility", needed=needed_facts())
    context = {
        "view": view,
        "details": details,
        "principal": principal,
        "members": members,
        "eligibility": eligibility,
    }
    return render(request, "cases/data_entry_form.html", context, status=status)
