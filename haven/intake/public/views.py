"""Public pages: no log-in, small, and safe to open on a shared phone."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms import BaseFormSet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from haven.audit.middleware import client_ip

from ..eligibility import EligibilityForm, needed_facts
from ..forms import PrincipalForm
from ..models import Request
from ..views import raw_form_input
from .consent import CONSENT_PARAGRAPHS
from .forms import (
    PublicDetailsForm,
    PublicMemberFormSet,
    StatusLookupForm,
    build_public_request_input,
    members_with_one_more,
    unbound_copy,
)
from .ratelimit import status_lookup_allowed
from .selectors import request_status_lookup, status_lookup_refused_record
from .services import public_request_submit

# The receipt page shows the number and secret once, straight after the redirect.
_SESSION_RECEIPT = "haven_public_receipt"

STATUS_EXPLANATIONS = {
    Request.Status.RECEIVED: _("Your request is stored and waits to be reviewed."),
    Request.Status.UNDER_REVIEW: _("A member of the task force is looking at your request."),
    Request.Status.REFERRED: _(
        "Your request has been passed to a partner organisation that may be able to help. "
        "They will contact you."
    ),
    Request.Status.CLOSED: _("The task force has finished working on this request."),
}
# Neutral words for why a request was closed: no reasons, names or eligibility details.
OUTCOME_EXPLANATIONS = {
    Request.Outcome.ASSISTED: _("The task force has given the help it could."),
    Request.Outcome.REFERRED_ELSEWHERE: _(
        "Your request was passed to another organisation that may be able to help."
    ),
    Request.Outcome.NOT_ELIGIBLE: _(
        "Under the current guidance, the task force cannot help with this request. "
        "If your situation changes, you may send a new request."
    ),
    Request.Outcome.DUPLICATE: _(
        "Your household sent more than one request; they are now handled as one. "
        "Use the receipt number of any of them."
    ),
    Request.Outcome.WITHDRAWN: _("The request was withdrawn."),
    Request.Outcome.UNREACHABLE: _(
        "The task force could not reach you with the contact details given. "
        "You may send a new request with details where you can be reached."
    ),
}


ApplyForms = tuple[PublicDetailsForm, PrincipalForm, BaseFormSet[Any], EligibilityForm]


def _apply_forms(request: HttpRequest) -> ApplyForms:
    data = request.POST if request.method == "POST" else None
    return (
        PublicDetailsForm(data, prefix="request"),
        PrincipalForm(data, prefix="principal"),
        PublicMemberFormSet(data, prefix="members"),
        EligibilityForm(data, prefix="eligibility", needed=needed_facts()),
    )


def _render_apply(
    request: HttpRequest,
    forms_: tuple[forms.Form, forms.Form, BaseFormSet[Any], forms.Form],
    status: int,
) -> HttpResponse:
    details, principal, members, eligibility = forms_
    context = {
        "details": details,
        "principal": principal,
        "members": members,
        "eligibility": eligibility,
        "consent_paragraphs": CONSENT_PARAGRAPHS,
        "has_errors": status == 400,
    }
    return render(request, "intake/public/apply.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest) -> HttpResponse:
    details, principal, members, eligibility = _apply_forms(request)
    if request.method == "GET":
        return _render_apply(request, (details, principal, members, eligibility), 200)
    if "add_member" in request.POST and members.management_form.is_valid():
        # Not a submission: show what was typed plus one more blank block, without errors.
        more = members_with_one_more(members)
        copies = (unbound_copy(details), unbound_copy(principal), more, unbound_copy(eligibility))
        return _render_apply(request, copies, 200)
    valid = [f.is_valid() for f in (details, principal, members, eligibility)]
    if not all(valid):
        return _render_apply(request, (details, principal, members, eligibility), 400)
    created = public_request_submit(
        data=build_public_request_input(
            details=details,
            principal=principal,
            members=list(members),
            language=get_language() or "",
            facts=eligibility.facts(),
        ),
        raw_input=raw_form_input(request),
        email=details.cleaned_data["email"],
        status_url=request.build_absolute_uri(reverse("public:status")),
    )
    request.session[_SESSION_RECEIPT] = {
        "receipt_number": created.request.receipt_number,
        "secret": created.status_secret,
        "emailed": bool(details.cleaned_data["email"]),
    }
    return redirect("public:receipt")


@never_cache
def receipt(request: HttpRequest) -> HttpResponse:
    # Popped: the secret is shown once, and a later visit (or the next person to pick up
    # the phone) sees only how to look the request up.
    shown = request.session.pop(_SESSION_RECEIPT, None)
    return render(request, "intake/public/receipt.html", {"receipt": shown})


@never_cache
@require_http_methods(["GET", "POST"])
def status(request: HttpRequest) -> HttpResponse:
    # POST, so the secret never appears in a URL, a browser history or a server log.
    if request.method == "GET":
        return _render_status(request, StatusLookupForm(), 200)
    form = StatusLookupForm(request.POST)
    if not status_lookup_allowed(address=client_ip(request)):
        status_lookup_refused_record(receipt_number=request.POST.get("receipt_number", ""))
        return _render_status(request, StatusLookupForm(), 429, rate_limited=True)
    if not form.is_valid():
        return _render_status(request, form, 400)
    found = request_status_lookup(
        receipt_number=form.cleaned_data["receipt_number"], secret=form.cleaned_data["secret"]
    )
    if found is None:
        # One answer for an unknown receipt and for a wrong secret; the secret is not echoed.
        retry = StatusLookupForm(initial={"receipt_number": form.cleaned_data["receipt_number"]})
        return _render_status(request, retry, 200, not_found=True)
    status = Request.Status(found.status)
    result = {"label": status.label, "explanation": STATUS_EXPLANATIONS[status]}
    if status == Request.Status.CLOSED and found.outcome in OUTCOME_EXPLANATIONS:
        result["outcome"] = Request.Outcome(found.outcome).label
        result["outcome_explanation"] = OUTCOME_EXPLANATIONS[Request.Outcome(found.outcome)]
    return _render_status(request, StatusLookupForm(), 200, result=result)


def _render_status(
    request: HttpRequest, form: StatusLookupForm, code: int, **context: object
) -> HttpResponse:
    return render(request, "intake/public/status.html", {"form": form, **context}, status=code)
