from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods

from haven.accounts import permissions

from .forms import MemberFormSet, PrincipalForm, RequestDetailsForm, build_request_input
from .models import Channel
from .selectors import request_get_for_receipt_page
from .services import request_create

# The receipt page shows the status secret once, straight after creation.
_SESSION_NEW_RECEIPT = "haven_new_receipt_secret"


def raw_form_input(request: HttpRequest) -> str:
    """Everything the officer submitted, verbatim, minus the CSRF token."""
    fields = {k: request.POST.getlist(k) for k in request.POST if k != "csrfmiddlewaretoken"}
    return json.dumps(fields, ensure_ascii=False, sort_keys=True)


@login_required
@require_http_methods(["GET", "POST"])
def walk_in(request: HttpRequest) -> HttpResponse:
    if not permissions.can_enter_requests(request.user):
        raise PermissionDenied
    if request.method == "POST":
        details = RequestDetailsForm(request.POST, prefix="request")
        principal = PrincipalForm(request.POST, prefix="principal")
        members = MemberFormSet(request.POST, prefix="members")
        if details.is_valid() and principal.is_valid() and members.is_valid():
            data = build_request_input(
                details=details,
                principal=principal,
                members=list(members),
                channel=Channel.WALK_IN,
                language=get_language() or "",
            )
            created = request_create(
                data=data,
                raw_input=raw_form_input(request),
                actor=request.user,  # type: ignore[arg-type]
            )
            request.session[_SESSION_NEW_RECEIPT] = {
                created.request.receipt_number: created.status_secret
            }
            return redirect("intake:receipt", receipt_number=created.request.receipt_number)
        status = 400
    else:
        details = RequestDetailsForm(prefix="request")
        principal = PrincipalForm(prefix="principal")
        members = MemberFormSet(prefix="members")
        status = 200
    context = {"details": details, "principal": principal, "members": members}
    return render(request, "intake/walk_in.html", context, status=status)


@login_required
def receipt(request: HttpRequest, receipt_number: str) -> HttpResponse:
    intake_request = request_get_for_receipt_page(
        user=request.user,  # type: ignore[arg-type]
        receipt_number=receipt_number,
    )
    # Shown once: reloading or reprinting later shows the number without the secret.
    secrets = request.session.pop(_SESSION_NEW_RECEIPT, {})
    return render(
        request,
        "intake/receipt.html",
        {"intake_request": intake_request, "status_secret": secrets.get(receipt_number)},
    )
