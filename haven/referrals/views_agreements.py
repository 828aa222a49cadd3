"""Supervisors' and administrators' screen of data-sharing agreements: per partner, what it
receives and how. Saving goes through services.agreement_set, as `haven referral agreement`
does (audited there)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from haven.accounts import permissions
from haven.accounts.models import Organization, User

from . import services
from .errors import ReferralRefused
from .forms_agreements import IDENTIFIER_LABELS, AgreementForm
from .models import SHAREABLE_FIELDS, SharingAgreement


def _oversight(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    if not permissions.can_read_audit(user):  # the roles agreement_set allows
        raise PermissionDenied
    return user


@login_required
def agreements(request: HttpRequest) -> HttpResponse:
    _oversight(request)
    partners = list(
        Organization.objects.filter(kind=Organization.Kind.PARTNER)
        .select_related("sharing_agreement")
        .order_by("name")
    )
    rows = []
    for org in partners:
        agreement = getattr(org, "sharing_agreement", None)
        rows.append((org, agreement))
    return render(
        request,
        "referrals/agreements.html",
        {"rows": rows, "field_labels": SHAREABLE_FIELDS, "identifier_labels": IDENTIFIER_LABELS},
    )


@login_required
def agreement_edit(request: HttpRequest, organization_id: int) -> HttpResponse:
    user = _oversight(request)
    organization = Organization.objects.filter(
        pk=organization_id, kind=Organization.Kind.PARTNER
    ).first()
    if organization is None:
        raise Http404
    agreement = SharingAgreement.objects.filter(organization=organization).first()
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
