"""The partner workspace: referrals to the user's organisation, their snapshots, and actions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from haven.accounts import permissions

from . import selectors, services
from .errors import ReferralRefused
from .forms import MessageForm, PartnerStatusForm, WorkspaceFilterForm
from .models import SHAREABLE_FIELDS
from .snapshot import people_label, snapshot_loads
from .views import _user

PAGE_SIZE = 25


@login_required
def workspace(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not permissions.can_use_partner_workspace(user):
        raise PermissionDenied
    assert user.organization is not None
    form = WorkspaceFilterForm(request.GET or None, organization=user.organization)
    found = selectors.workspace_referrals(user=user, filters=form.filters())
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(r, people_label(snapshot_loads(r.snapshot))) for r in page.object_list]
    selectors.audit_partner_list(
        actor=user,
        organization=user.organization,
        ids=[r.pk for r, _label in rows],
        through="workspace",
        page=page.number,
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "rows": rows, "query": query.urlencode()}
    return render(request, "referrals/workspace.html", context)


def _detail(request: HttpRequest, referral_id: int, **extra: object) -> HttpResponse:
    user = _user(request)
    referral = selectors.workspace_referral(user=user, referral_id=referral_id)
    context = {
        "referral": referral,
        "snapshot": snapshot_loads(referral.snapshot),
        "field_labels": SHAREABLE_FIELDS,
        "events": selectors.referral_history(referral=referral),
        "thread": selectors.referral_thread(referral=referral),
        "status_form": PartnerStatusForm(current=referral.status),
        "message_form": MessageForm(),
        "can_move": referral.is_open,
        **extra,
    }
    return render(request, "referrals/workspace_detail.html", context, status=400 if extra else 200)


@login_required
def workspace_detail(request: HttpRequest, referral_id: int) -> HttpResponse:
    return _detail(request, referral_id)


@login_required
@require_POST
def workspace_status(request: HttpRequest, referral_id: int) -> HttpResponse:
    user = _user(request)
    referral = selectors.workspace_referral(
        user=user, referral_id=referral_id, through="workspace action"
    )
    form = PartnerStatusForm(request.POST, current=referral.status)
    if form.is_valid():
        try:
            services.referral_partner_move(
                referral=referral,
                status=form.cleaned_data["status"],
                actor=user,
                reason=form.cleaned_data["reason"],
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
            )
        except ReferralRefused as refused:
            form.add_error(None, " ".join(refused.messages))
        else:
            messages.success(request, _("Referral updated."))
            return redirect("referrals:workspace_detail", referral_id=referral.pk)
    return _detail(request, referral_id, status_form=form)


@login_required
@require_POST
def workspace_message(request: HttpRequest, referral_id: int) -> HttpResponse:
    user = _user(request)
    referral = selectors.workspace_referral(
        user=user, referral_id=referral_id, through="workspace message"
    )
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            services.referral_message_post(
                referral=referral, body=form.cleaned_data["body"], from_partner=True, author=user
            )
        except ReferralRefused as refused:
            form.add_error(None, " ".join(refused.messages))
        else:
            messages.success(request, _("Message sent to the task force."))
            return redirect("referrals:workspace_detail", referral_id=referral.pk)
    return _detail(request, referral_id, message_form=form)
