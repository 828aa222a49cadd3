"""The dashboard, the sitrep button and the HXL download. Views stay thin: filters are
validated by ReportFilterForm, figures come from selectors.dashboard."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from haven.accounts.models import User
from haven.audit.models import AuditAction
from haven.audit.services import audit_record

from . import charts, permissions, selectors, services
from . import hxl as hxl_module
from .figures import ReportContext, figure_table
from .filters import ReportFilterForm
from .models import SitrepJob
from .sitrep import sitrep_build, sitrep_render


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # login_required
    return user


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not permissions.can_view_dashboard(user):
        raise PermissionDenied
    form = ReportFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        # What was typed stays in the form, with the reason beside it.
        return render(request, "reports/dashboard.html", {"form": form}, status=400)
    filters = form.filters()
    board = selectors.dashboard(user=user, filters=filters)
    context = {
        "form": form,
        "board": board,
        "filters": filters,
        "query": request.GET.urlencode(),
        # The charts' own requests carry the filters as resolved here (the dates filled in),
        # so every view of the same figures asks for the same chart.
        "chart_query": urlencode(filters.as_query()),
        # HXL is never cut by team or worker (hxl.refuse_slices): its form leaves them out.
        "hxl_query": {k: v for k, v in filters.as_query().items() if k not in ("team", "assignee")},
        "hxl_slices_left_out": filters.team is not None or filters.assignee is not None,
        "can_export": permissions.can_export_personal_data(user),
    }
    return render(request, "reports/dashboard.html", context)


@login_required
def chart(request: HttpRequest, provider: str, table: str) -> HttpResponse:
    """One figure's chart as inline SVG, asked for by the dashboard after the page itself
    (htmx, hx-trigger="load"): drawing (vl-convert) never holds the page's figures back.
    Kept in the site's cache by view (figure, filters, language, audience, summary build)."""
    user = _user(request)
    if not permissions.can_view_dashboard(user):
        raise PermissionDenied
    form = ReportFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return HttpResponse(status=400)
    filters = form.filters()
    full = permissions.can_view_full_dashboard(user)
    state = selectors.summaries_current()
    # The reduced dashboard's own caseload is the reader's: its chart is theirs alone.
    reader = "" if full else user.pk
    key = charts.chart_cache_key(
        provider,
        table,
        translation.get_language(),
        full,
        reader,
        sorted(filters.as_query().items()),
        state.built_at.isoformat() if state.built_at else "",
    )

    def draw() -> str:
        context = ReportContext(filters=filters, user=user, today=timezone.localdate(), full=full)
        found = figure_table(context, provider, table)
        if found is None:
            raise Http404
        return str(charts.chart_svg(found))

    svg = charts.chart_cached(key, draw, timeout=charts.chart_cache_seconds())
    response = HttpResponse(svg, content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "private, max-age=60"
    return response


CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def _supervisor(request: HttpRequest) -> User:
    user = _user(request)
    if not permissions.can_view_full_dashboard(user):
        raise PermissionDenied
    return user


def _download(content: bytes, filename: str, fmt: str) -> HttpResponse:
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_POST
def sitrep(request: HttpRequest) -> HttpResponse:
    user = _supervisor(request)
    form = ReportFilterForm(request.POST)
    fmt = request.POST.get("format", "pdf")
    if fmt not in ("pdf", "xlsx"):
        form.add_error(None, _("The sitrep is a PDF or an XLSX file."))
    if not form.is_valid():
        return render(request, "reports/dashboard.html", {"form": form}, status=400)
    filters = form.filters()
    language = translation.get_language() or "en"
    if filters.days > services.inline_days():
        job = services.sitrep_job_create(user=user, filters=filters, fmt=fmt, language=language)
        services.sitrep_audit(user=user, filters=filters, fmt=fmt, language=language)
        return redirect("reports:sitrep_job", job_id=job.pk)
    report = sitrep_build(filters=filters, language=language)
    services.sitrep_audit(user=user, filters=filters, fmt=fmt, language=language)
    return _download(sitrep_render(report, fmt), f"sitrep-{filters.date_to}.{fmt}", fmt)


def _job(request: HttpRequest, job_id: int) -> SitrepJob:
    user = _supervisor(request)
    job = SitrepJob.objects.filter(pk=job_id, requested_by=user).first()
    if job is None:
        raise Http404
    return job


@login_required
def sitrep_job(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job(request, job_id)
    template = "reports/_sitrep_progress.html" if request.htmx else "reports/sitrep_job.html"  # type: ignore[attr-defined]
    return render(request, template, {"job": job})


@login_required
def sitrep_download(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job(request, job_id)
    if job.status != SitrepJob.Status.DONE or not job.file_path:
        raise Http404
    audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        obj=job,
        summary=f"Downloaded sitrep {job.pk}",
    )
    return _download(Path(job.file_path).read_bytes(), f"sitrep-{job.pk}.{job.format}", job.format)


@login_required
def hxl(request: HttpRequest) -> HttpResponse:
    user = _supervisor(request)
    form = ReportFilterForm(request.GET or None)
    fmt = request.GET.get("format", "csv")
    try:
        by = hxl_module.parse_by(request.GET.get("by", ""))
    except hxl_module.HxlError as error:
        form.add_error(None, str(error))
        by = []
    if fmt not in ("csv", "xlsx"):
        form.add_error(None, _("HXL downloads are CSV or XLSX files."))
    if form.is_valid():
        try:
            hxl_module.refuse_slices(form.filters())
        except hxl_module.HxlError as error:
            form.add_error(None, str(error))
    if not form.is_valid() or not by:
        return render(request, "reports/dashboard.html", {"form": form}, status=400)
    filters = form.filters()
    selectors.summaries_current()
    context = ReportContext(filters=filters, user=user, today=timezone.localdate())
    table = hxl_module.hxl_table(context, by)
    audit_record(
        actor=user,
        action=AuditAction.EXPORT,
        object_type="reports.hxl",
        summary=f"HXL aggregates by {','.join(by)} ({len(table.rows)} rows)",
        details={"by": by, "rows": len(table.rows), "suppressed": table.suppressed},
    )
    content = hxl_module.hxl_csv(table) if fmt == "csv" else hxl_module.hxl_xlsx(table)
    return _download(content, f"haven-hxl-{'-'.join(by)}-{filters.date_to}.{fmt}", fmt)
