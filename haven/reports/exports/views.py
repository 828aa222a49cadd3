"""Case exports with personal data: request, approve, create the file, download, register."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from haven.accounts.models import User

from ..models import CaseExport
from ..permissions import can_export_personal_data
from . import services
from .fields import CASE_FIELDS, DEFAULT_FIELDS, field_label
from .forms import ExportRequestForm


def _supervisor(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # login_required
    if not can_export_personal_data(user):
        raise PermissionDenied(_("Only supervisors may export case data."))
    return user


def _export(export_id: int) -> CaseExport:
    from django.http import Http404

    export = (
        CaseExport.objects.select_related("requested_by", "approved_by")
        .filter(pk=export_id)
        .first()
    )
    if export is None:
        raise Http404
    return export


@login_required
def export_list(request: HttpRequest) -> HttpResponse:
    _supervisor(request)
    exports = list(CaseExport.objects.select_related("requested_by", "approved_by")[:200])
    rows = [(e, ", ".join(field_label(f) for f in e.fields)) for e in exports]
    return render(request, "reports/export_list.html", {"rows": rows})


def _new_page(
    request: HttpRequest,
    form: ExportRequestForm,
    fields: list[str],
    unmasked: list[str],
    status: int = 200,
) -> HttpResponse:
    context = {
        "form": form,
        "threshold": services.approval_rows(),
        "catalogue": [(f, f.name in fields, f.name in unmasked) for f in CASE_FIELDS],
    }
    return render(request, "reports/export_new.html", context, status=status)


@login_required
def export_new(request: HttpRequest) -> HttpResponse:
    user = _supervisor(request)
    if request.method != "POST":
        return _new_page(request, ExportRequestForm(initial={"open": True}), DEFAULT_FIELDS, [])
    form = ExportRequestForm(request.POST)
    fields, unmasked = request.POST.getlist("fields"), request.POST.getlist("unmasked")
    if form.is_valid():
        try:
            export = services.export_request(
                user=user,
                fields=fields,
                unmasked=unmasked,
                filters=form.filters(),
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if export.status == CaseExport.Status.AWAITING_APPROVAL:
                messages.info(
                    request,
                    _(
                        "%(rows)s rows: above %(limit)s, a second supervisor must approve this "
                        "export before its file is created."
                    )
                    % {"rows": export.row_count, "limit": services.approval_rows()},
                )
                return redirect("reports:export_detail", export_id=export.pk)
            return _file_created(request, services.export_file_create(export=export, user=user))
    return _new_page(request, form, fields, unmasked, status=400)


def _file_created(request: HttpRequest, created: services.ExportFile) -> HttpResponse:
    # The passphrase is in this response only: never stored, never in a URL or the session.
    response = render(
        request,
        "reports/export_detail.html",
        {
            "export": created.export,
            "passphrase": created.passphrase,
            "fields": _labels(created.export),
        },
    )
    response["Cache-Control"] = "no-store"
    return response


def _labels(export: CaseExport) -> str:
    return ", ".join(field_label(f) for f in export.fields)


@login_required
def export_detail(request: HttpRequest, export_id: int) -> HttpResponse:
    user = _supervisor(request)
    export = _export(export_id)
    return render(
        request,
        "reports/export_detail.html",
        {
            "export": export,
            "fields": _labels(export),
            "can_approve": export.requested_by_id != user.pk,
        },
    )


def _decide(request: HttpRequest, export_id: int, decide: object, done: str) -> HttpResponse:
    user = _supervisor(request)
    export = _export(export_id)
    try:
        decide(export=export, user=user)  # type: ignore[operator]
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return redirect("reports:export_detail", export_id=export.pk)


@login_required
@require_POST
def export_approve(request: HttpRequest, export_id: int) -> HttpResponse:
    return _decide(
        request,
        export_id,
        services.export_approve,
        _("Export approved; its requester may now create the file."),
    )


@login_required
@require_POST
def export_refuse(request: HttpRequest, export_id: int) -> HttpResponse:
    return _decide(request, export_id, services.export_refuse, _("Export refused."))


@login_required
@require_POST
def export_file_create(request: HttpRequest, export_id: int) -> HttpResponse:
    user = _supervisor(request)
    export = _export(export_id)
    try:
        created = services.export_file_create(export=export, user=user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("reports:export_detail", export_id=export.pk)
    return _file_created(request, created)


@login_required
def export_download(request: HttpRequest, export_id: int) -> HttpResponse | FileResponse:
    user = _supervisor(request)
    export = _export(export_id)
    try:
        path = services.export_download(export=export, user=user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("reports:export_detail", export_id=export.pk)
    response = FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"{export.reference}.zip",
        content_type="application/zip",
    )
    response["Cache-Control"] = "no-store"
    return response
