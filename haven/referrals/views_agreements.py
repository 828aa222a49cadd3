"""Supervisors' and administrators' screen of data-sharing agreements: per partner, what it
receives and how. Saving goes through services.agreement_set, as `haven referral agreement`
does (audited there)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from haven.accounts.models import User

from . import selectors, services
from .errors import ReferralRefused
from .forms_agreements import IDENTIFIER_LABELS, AgreementForm
from .models import SHAREABLE_FIELDS


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@login_required
def agreements(request: HttpRequest) -> HttpResponse:
    rows = selectors.agreement_rows(user=_user(request))
    return render(
        request,
        "referrals/agreements.html",
        {"rows": rows, "field_labels": SHAREABLE_FIELDS, "identifier_labels": IDENTIFIER_LABELS},
    )


@login_required
def agreement_edit(request: HttpRequest, organization_id: int) -> HttpResponse:
    user = _user(request)
    organization, agreement = selectors.agreement_partner(
        user=user, organization_id=organization_id
    )
    form = AgreementForm(request.POST or None, agreement=agreement)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.agreement_set(
                    organization=organization,
                    actor=user,
                    fields=data["fields_shared"],
                    identifier_kinds=data["identifier_kinds"],
                    delivery=data["delivery"],
                    contact_email=data["contact_email"],
                    code_email=data["code_email"],
                    passphrase=data["passphrase"],
                    passphrase_clear=data["passphrase_clear"],
                    deadlines=form.deadlines(),
                )
            except ReferralRefused as refused:
                form.add_error(None, " ".join(refused.messages))  # what was typed is kept
            else:
                messages.success(
                    request,
                    _("Data-sharing agreement with %(org)s saved.") % {"org": organization.name},
                )
                return redirect("referrals:agreements")
    return render(
        request,
        "referrals/agreement_form.html",
        {
            "organization": organization,
            "agreement": agreement,
            "form": form,
            "has_passphrase": bool(agreement and agreement.passphrase_hash),
        },
        status=status,
    )
