"""The approvals page: dangerous actions waiting for a second approver."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from . import approvals, permissions
from .models import User
from .models_approvals import Approval


def _viewer(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    if not permissions.can_manage_staff(user):
        raise PermissionDenied
    return user


@login_required
@require_GET
def approval_list(request: HttpRequest) -> HttpResponse:
    viewer = _viewer(request)
    recent = Approval.objects.exclude(status=Approval.Status.PENDING).select_related(
        "requested_by", "decided_by"
    )[:50]
    return render(
        request,
        "accounts/approvals.html",
        {"pending": approvals.pending_for(viewer), "recent": recent, "viewer": viewer},
    )


@login_required
@require_POST
def approval_decide(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    approval = Approval.objects.filter(pk=pk).first()
    if approval is None:
        raise Http404
    note = request.POST.get("note", "")[:500]
    try:
        if request.POST.get("decision") == "approve":
            done = approvals.approval_approve(approval=approval, actor=viewer, note=note)
            if done.status == Approval.Status.EXECUTED:
                messages.success(request, done.result or _("Done."))
            else:
                messages.error(request, _("Approved, but it failed: %(r)s") % {"r": done.result})
        else:
            approvals.approval_reject(approval=approval, actor=viewer, note=note)
            messages.success(request, _("Rejected."))
    except approvals.ApprovalError as exc:
        messages.error(request, str(exc))
    return redirect("accounts:approvals")
