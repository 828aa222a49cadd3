"""Triage pages: a case's triage, work queues, and guidance versions with preview and activation."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from haven.accounts.approvals import approval_needed
from haven.accounts.models import User
from haven.audit.models import AuditAction
from haven.audit.services import audit_record
from haven.cases.models import Case

from . import approvals as triage_approvals
from . import selectors, services, services_facts
from .exports import write_preview_csv
from .facts import FactsError
from .forms import FactsForm
from .models import FactReview, GuidanceVersion, RetriageRun
from .panels import panel_context
from .pathways import PATHWAYS, pathway_label
from .permissions import can_correct_facts, can_manage_guidance, can_view_triage


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def case_url(case_id: int) -> str:
    """The case page when the cases app has one, else triage's own page for the case."""
    try:
        return reverse("cases:detail", args=[case_id])
    except NoReverseMatch:
        return reverse("triage:case", args=[case_id])


@login_required
@require_http_methods(["GET", "POST"])
def case_triage(request: HttpRequest, case_id: int) -> HttpResponse:
    user = _user(request)
    if not can_view_triage(user):
        raise PermissionDenied
    case = get_object_or_404(Case, pk=case_id)
    form = None
    if request.method == "POST":
        if not can_correct_facts(user):
            raise PermissionDenied
        form = FactsForm(request.POST, facts=selectors.case_facts(case))
        if form.is_valid():
            try:
                services.case_facts_update(
                    case=case, changes=form.changes(), actor=user, note=form.cleaned_data["note"]
                )
            except FactsError as exc:
                form.add_error(exc.fact if exc.fact in form.fields else None, exc.message)
            else:
                messages.success(request, _("Facts corrected and the case re-triaged."))
                return redirect(case_url(case.pk))
    context = panel_context(case=case, user=user)
    if form is not None:
        context["form"] = form
    audit_record(actor=user, action=AuditAction.VIEW, obj=case, summary="Viewed case triage")
    status = 400 if form is not None and form.errors else 200
    return render(request, "triage/case.html", context, status=status)


@login_required
@require_POST
def fact_review_decide(request: HttpRequest, case_id: int, pk: int) -> HttpResponse:
    """Accept (apply and re-triage) or dismiss new information a request brought."""
    user = _user(request)
    try:
        review = selectors.fact_review_get(user=user, case_id=case_id, pk=pk)
    except FactReview.DoesNotExist as exc:
        raise Http404 from exc
    decision = request.POST.get("decision")
    if decision not in ("accept", "dismiss"):
        messages.error(request, _("Choose to accept or to dismiss the new information."))
        return redirect(case_url(case_id))
    try:
        services_facts.fact_review_decide(review=review, actor=user, accept=decision == "accept")
    except services_facts.FactReviewClosed as exc:
        messages.error(request, str(exc))
    except FactsError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("New information accepted and the case re-triaged.")
            if decision == "accept"
            else _("New information dismissed; the case keeps its facts."),
        )
    return redirect(case_url(case_id))


# -- queues ----------------------------------------------------------------------
@login_required
def queue_list(request: HttpRequest) -> HttpResponse:
    summaries = selectors.queue_summaries(user=request.user)
    return render(request, "triage/queue_list.html", {"summaries": summaries})


@login_required
def queue_detail(request: HttpRequest, pathway: str) -> HttpResponse:
    if pathway not in PATHWAYS:
        raise Http404
    cases = selectors.queue_cases(user=request.user, pathway=pathway)
    page = Paginator(cases, 50).get_page(request.GET.get("page"))
    items = selectors.queue_items(list(page.object_list), pathway)
    audit_record(
        actor=request.user,
        action=AuditAction.VIEW,
        object_type="triage.queue",
        object_id=pathway,
        summary=f"Viewed the {pathway} queue",
        details={"page": page.number},
    )
    context = {
        "pathway": pathway,
        "label": pathway_label(pathway),
        "page": page,
        "items": [(item, case_url(item.case.pk)) for item in items],
    }
    return render(request, "triage/queue_detail.html", context)


# -- guidance ------------------------------------------------------------------
@login_required
def guidance_list(request: HttpRequest) -> HttpResponse:
    versions = selectors.guidance_versions(user=request.user)
    return render(request, "triage/guidance_list.html", {"versions": versions})


def _version(request: HttpRequest, pk: int) -> GuidanceVersion:
    try:
        return selectors.guidance_version(user=request.user, pk=pk)
    except GuidanceVersion.DoesNotExist as exc:
        raise Http404 from exc


@login_required
def guidance_detail(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(request, pk)
    context: dict[str, Any] = {
        "version": version,
        "pack": selectors.stored_pack(version),
        "run": selectors.latest_run(version),
        "can_activate": can_manage_guidance(request.user),
        "second_approver": approval_needed(triage_approvals.ACTION),
    }
    if request.GET.get("preview"):
        context["preview"] = selectors.preview_changes(pack=context["pack"])
        context["preview_changes"] = [
            (pathway_label(a) if a else _("(not triaged)"), pathway_label(b), n)
            for (a, b), n in sorted(context["preview"].changes.items())
        ]
    return render(request, "triage/guidance_detail.html", context)


@login_required
def guidance_preview_csv(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(request, pk)
    preview = selectors.preview_changes(pack=selectors.stored_pack(version))
    audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        obj=version,
        summary=f"Downloaded the preview of {version.label}",
        details={"rows": len(preview.rows)},
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="preview-{version.pack}-{version.version}.csv"'
    )
    write_preview_csv(response, preview.rows)
    return response


@login_required
@require_POST
def guidance_activate(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(request, pk)
    user = _user(request)
    if not can_manage_guidance(user):
        services.guidance_activation_refuse(label=version.label, actor=user, version=version)
    reason = request.POST.get("reason", "").strip()[:500]
    if not reason:
        # Re-triaging every open case is not undone by a click: say why, for the trail.
        messages.error(request, _("Give a reason to activate this version."))
        return redirect("triage:guidance_detail", pk=version.pk)
    if approval_needed(triage_approvals.ACTION):
        triage_approvals.activation_request(version=version, actor=user, reason=reason)
        messages.success(
            request,
            _("A second supervisor must approve this activation; it is on the approvals page."),
        )
        return redirect("triage:guidance_detail", pk=version.pk)
    run = services.guidance_activate(version=version, actor=user, reason=reason)
    messages.success(
        request,
        _("%(label)s is active; %(total)s open cases are being re-triaged.")
        % {"label": version.label, "total": run.total},
    )
    return redirect("triage:guidance_detail", pk=version.pk)


@login_required
def run_progress(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        run = selectors.run_for(user=request.user, pk=pk)
    except RetriageRun.DoesNotExist as exc:
        raise Http404 from exc
    return render(request, "triage/_run_progress.html", {"run": run})
