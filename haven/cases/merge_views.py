"""Merging two cases and undoing it: compare side by side, say why, confirm; undo with a reason."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from haven.accounts import permissions
from haven.accounts.approvals import approval_needed

from . import approvals, selectors, services
from .merge_forms import CaseMergeForm, CaseMergeTargetForm, CaseMergeUndoForm
from .models import Case
from .views import _user


def _refuse(request: HttpRequest, case_id: int, message: str) -> HttpResponse:
    messages.error(request, message)
    return redirect("cases:detail", case_id=case_id)


@login_required
@require_http_methods(["GET", "POST"])
def case_merge(request: HttpRequest, case_id: int) -> HttpResponse:
    """GET ?target=: both cases side by side and the direction in words; POST: merge this
    case (the source, closed) into the target, with a reason and a ticked confirmation."""
    user = _user(request)
    if not permissions.can_merge_cases(user):
        raise PermissionDenied
    source = selectors.case_get(user=user, case_id=case_id)
    data = request.POST if request.method == "POST" else request.GET
    step = CaseMergeTargetForm(data)
    if not step.is_valid():
        return _refuse(request, source.pk, " ".join(str(e) for e in step.errors.get("target", [])))
    target_id = step.cleaned_data["target"]
    if target_id == source.pk:
        return _refuse(request, source.pk, _("A case cannot be merged into itself."))
    try:
        source_side, target_side = selectors.case_merge_compare(
            user=user, source_id=source.pk, target_id=target_id
        )
    except Http404:
        reference = Case(pk=target_id).reference
        return _refuse(request, source.pk, _("There is no case %(ref)s.") % {"ref": reference})
    form = CaseMergeForm(initial={"target": target_side.case.reference})
    status = 200
    if request.method == "POST":
        form = CaseMergeForm(request.POST)
        if form.is_valid() and approval_needed(approvals.ACTION):
            approvals.merge_request(
                source=source_side.case,
                target=target_side.case,
                actor=user,
                reason=form.cleaned_data["reason"],
            )
            messages.success(
                request,
                _(
                    "A second supervisor must approve this merge; it is on the approvals page. "
                    "Nothing changes until then."
                ),
            )
            return redirect("cases:detail", case_id=source_side.case.pk)
        if form.is_valid():
            try:
                services.case_merge(
                    source=source_side.case,
                    target=target_side.case,
                    actor=user,
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _merged_message(source_side.case, target_side.case))
                return redirect("cases:detail", case_id=target_side.case.pk)
        status = 400
    context = {"source": source_side, "target": target_side, "form": form}
    return render(request, "cases/merge_confirm.html", context, status=status)


def _merged_message(source: Case, target: Case) -> str:
    return _(
        "%(source)s was merged into %(target)s and closed: its members, requests, notes "
        "and documents are here now. A supervisor can undo the merge from this page."
    ) % {"source": source.reference, "target": target.reference}


@login_required
@require_http_methods(["GET", "POST"])
def case_merge_undo(request: HttpRequest, merge_id: int) -> HttpResponse:
    """GET: what undoing will put back; POST with a reason: undo it."""
    user = _user(request)
    merge = selectors.case_merge_get(user=user, merge_id=merge_id)
    form = CaseMergeUndoForm()
    status = 200
    if request.method == "POST":
        form = CaseMergeUndoForm(request.POST)
        if form.is_valid():
            try:
                services.case_merge_undo(
                    merge=merge, actor=user, reason=form.cleaned_data["reason"]
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("The merge was undone: %(source)s is open again.")
                    % {"source": merge.source.reference},
                )
                return redirect("cases:detail", case_id=merge.source_id)
        status = 400
    return render(request, "cases/merge_undo.html", {"merge": merge, "form": form}, status=status)
