"""Staff pages: upload a list, check its columns, dry-run it, import it, download what was rejected.

Only roles allowed to enter requests reach any of this. The upload view refuses an
oversized file before reading it: Django would otherwise spool the whole body to
disk while checking the CSRF token, so the size check runs first and the CSRF check
right after, on the same request.
"""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.db import transaction
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from haven.accounts import permissions
from haven.accounts.models import Organization, User
from haven.accounts.services import organization_ensure
from haven.intake.models import ImportBatch

from . import fields, sealed_store, selectors
from .errors import ImportFileError
from .forms import FactValuesForm, MappingForm, UploadForm
from .jobs import SHEETS_DIR
from .original import original_context
from .preview import Preview
from .report import error_report_lines
from .rows import PROBLEM_LABELS, REJECT_MESSAGES
from .services import import_batch_create, import_batch_update, import_fact_values_remember
from .source import file_digest, open_sheet
from .tasks import import_preview_task, import_run_task
from .upload_scan import upload_refusal


def _staff(request: HttpRequest) -> User:
    if not permissions.can_enter_requests(request.user):
        raise PermissionDenied
    return cast(User, request.user)


class _LimitedUpload(FileUploadHandler):
    """Counts the bytes of each uploaded file and drops one that passes the limit."""

    def __init__(self, request: HttpRequest, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.received = 0
        self.too_large = False

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.received > self.limit:
            self.too_large = True
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def _too_large(request: HttpRequest) -> HttpResponse:
    limit_mb = settings.HAVEN_MAX_UPLOAD_BYTES / (1024 * 1024)
    context = {"limit_mb": f"{limit_mb:,.0f}" if limit_mb >= 1 else f"{limit_mb:.2f}"}
    return render(request, "intake/importing/too_large.html", context, status=413)


def _list_page(request: HttpRequest, user: User, form: UploadForm, status: int) -> HttpResponse:
    batches = selectors.import_batch_list(user=user)[:50]
    return render(
        request, "intake/importing/list.html", {"form": form, "batches": batches}, status=status
    )


@login_required
@require_GET
def import_list(request: HttpRequest) -> HttpResponse:
    return _list_page(request, _staff(request), UploadForm(), 200)


@csrf_exempt  # the CSRF check runs in _upload, once the size is known to be acceptable
@login_required
@require_POST
def upload(request: HttpRequest) -> HttpResponse:
    _staff(request)
    limit = settings.HAVEN_MAX_UPLOAD_BYTES
    # The form fields around the file add a little; a body this much larger cannot fit.
    if int(request.META.get("CONTENT_LENGTH") or 0) > limit + 64 * 1024:
        return _too_large(request)
    handler = _LimitedUpload(request, limit)
    cast(list[FileUploadHandler], request.upload_handlers).insert(0, handler)
    return _upload(request, handler)


@csrf_protect
def _upload(request: HttpRequest, handler: _LimitedUpload) -> HttpResponse:
    user = _staff(request)
    form = UploadForm(request.POST, request.FILES)
    if handler.too_large:
        return _too_large(request)
    if not form.is_valid():
        return _list_page(request, user, form, 400)
    organization = form.cleaned_data["source"] or organization_ensure(
        name=form.cleaned_data["new_source"],
        kind=Organization.Kind.REQUESTING_BODY,
        actor=user,
    )
    uploaded = form.cleaned_data["file"]
    fileobj = uploaded.file
    try:
        # Only the header: a workbook is read whole in the background job, never here.
        opened = open_sheet(fileobj, organization=organization, header_only=True)
    except ImportFileError as exc:
        form.add_error("file", exc.message)
        return _list_page(request, user, form, 400)
    if refusal := upload_refusal(fileobj, name=uploaded.name or "upload"):
        form.add_error("file", refusal)
        return _list_page(request, user, form, 400)
    sha256, size = file_digest(fileobj)
    stored = sealed_store.seal(fileobj, directory=SHEETS_DIR)
    batch = import_batch_create(
        organization=organization,
        file_name=uploaded.name or "upload",
        file_sha256=sha256,
        file_size=size,
        actor=user,
        file_format=opened.sheet.table.format,
        sheet_name=opened.sheet.table.sheet_name,
        header_row=opened.sheet.header_row,
        headers=opened.sheet.headers,
        mapping=opened.mapping,
        stored_path=stored,
        status=ImportBatch.Status.UPLOADED,
    )
    return redirect("importing:detail", pk=batch.pk)


def _detail_context(batch: ImportBatch, form: MappingForm | None = None) -> dict[str, Any]:
    editable = batch.status in {ImportBatch.Status.UPLOADED, ImportBatch.Status.PREVIEWED}
    if form is None and editable:
        form = MappingForm(headers=batch.headers, mapping=batch.mapping)
    has_preview = batch.status != ImportBatch.Status.PREVIEWING and "rows" in batch.preview
    preview = Preview.from_dict(batch.preview) if has_preview else None
    values_form = None
    if preview is not None and preview.unknown_values and editable:
        values_form = FactValuesForm(unknown_values=preview.unknown_values)
    return {
        "batch": batch,
        "form": form,
        "values_form": values_form,
        "preview": preview,
        "problem_labels": PROBLEM_LABELS,
        "reject_labels": REJECT_MESSAGES,
        "can_resume": selectors.import_batch_can_resume(batch),
        "rejected_sample": batch.rejected_rows.order_by("row_number")[:50],
    }


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = selectors.import_batch_get_for_detail(user=_staff(request), pk=pk)
    return render(request, "intake/importing/detail.html", _detail_context(batch))


@login_required
@require_POST
def preview_start(request: HttpRequest, pk: int) -> HttpResponse:
    user = _staff(request)
    batch = selectors.import_batch_get(user=user, pk=pk)
    if batch.status not in {ImportBatch.Status.UPLOADED, ImportBatch.Status.PREVIEWED}:
        return redirect("importing:detail", pk=batch.pk)
    form = MappingForm(request.POST, headers=batch.headers, mapping=batch.mapping)
    if form.is_valid():
        mapping = form.mapping()
        for problem in fields.validate_mapping(mapping):
            form.add_error(None, problem)
        if fields.recognised_count(mapping) == 0:
            form.add_error(None, _("Choose what at least one column holds."))
    if not form.is_valid():
        batch = selectors.import_batch_get_for_detail(user=user, pk=batch.pk)
        context = _detail_context(batch, form)
        return render(request, "intake/importing/detail.html", context, status=400)
    with transaction.atomic():
        import_batch_update(
            batch=batch,
            actor=user,
            mapping=mapping,
            preview={},
            status=ImportBatch.Status.PREVIEWING,
        )
        transaction.on_commit(lambda: import_preview_task.enqueue(batch.pk))
    return redirect("importing:detail", pk=batch.pk)


@login_required
@require_POST
def fact_values_save(request: HttpRequest, pk: int) -> HttpResponse:
    """Say what a source's eligibility answers mean, remember it, and check the rows again."""
    user = _staff(request)
    batch = selectors.import_batch_get(user=user, pk=pk)
    if batch.status != ImportBatch.Status.PREVIEWED or batch.organization is None:
        return redirect("importing:detail", pk=batch.pk)
    organization = batch.organization
    preview = Preview.from_dict(batch.preview)
    form = FactValuesForm(request.POST, unknown_values=preview.unknown_values)
    if not form.is_valid():
        batch = selectors.import_batch_get_for_detail(user=user, pk=batch.pk)
        context = {**_detail_context(batch), "values_form": form}
        return render(request, "intake/importing/detail.html", context, status=400)
    with transaction.atomic():
        import_fact_values_remember(organization=organization, values=form.values(), actor=user)
        import_batch_update(
            batch=batch, actor=user, preview={}, status=ImportBatch.Status.PREVIEWING
        )
        transaction.on_commit(lambda: import_preview_task.enqueue(batch.pk))
    return redirect("importing:detail", pk=batch.pk)


@login_required
@require_POST
def import_start(request: HttpRequest, pk: int) -> HttpResponse:
    user = _staff(request)
    batch = selectors.import_batch_get(user=user, pk=pk)
    if batch.status == ImportBatch.Status.PREVIEWED or selectors.import_batch_can_resume(batch):
        with transaction.atomic():
            import_batch_update(batch=batch, actor=user, status=ImportBatch.Status.QUEUED)
            transaction.on_commit(lambda: import_run_task.enqueue(batch.pk))
    return redirect("importing:detail", pk=batch.pk)


def progress_response(request: HttpRequest, pk: int, template: str) -> HttpResponse:
    """Polled by htmx while a batch works; when it stops, the page reloads with the results."""
    batch = selectors.import_batch_get(user=_staff(request), pk=pk)
    response = render(request, template, {"batch": batch})
    if not batch.is_active:
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_GET
def progress(request: HttpRequest, pk: int) -> HttpResponse:
    return progress_response(request, pk, "intake/importing/_progress.html")


@login_required
@require_GET
def error_report(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    batch, rows = selectors.import_error_report(user=_staff(request), pk=pk)
    headers = [str(h) for h in batch.headers] if batch.kind == ImportBatch.Kind.SPREADSHEET else []
    response = StreamingHttpResponse(
        error_report_lines(headers=headers or [_("source")], rows=rows),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="import-{batch.pk}-rejected.csv"'
    return response


@login_required
@require_GET
def original(request: HttpRequest, receipt_number: str) -> HttpResponse:
    intake_request = selectors.request_original_get(
        user=_staff(request), receipt_number=receipt_number
    )
    return render(request, "intake/importing/original.html", original_context(intake_request))


@login_required
@require_GET
def original_download(request: HttpRequest, receipt_number: str) -> HttpResponse:
    intake_request = selectors.request_original_get(
        user=_staff(request), receipt_number=receipt_number, export=True
    )
    context = original_context(intake_request)
    response = HttpResponse(context["raw_bytes"], content_type="application/octet-stream")
    extension = "eml" if context["is_mail"] else "txt"
    response["Content-Disposition"] = (
        f'attachment; filename="request-{intake_request.receipt_number}.{extension}"'
    )
    return response
