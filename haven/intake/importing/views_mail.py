"""Staff pages for e-mail: upload a mailbox, see its dry run, import it, see what became of
every message.

The same rules as the spreadsheet pages (views.py): only roles that may enter requests; an
upload over HAVEN_MAX_UPLOAD_BYTES (all its files together) is refused before it is read or
stored, with the CSRF check right after the size check; the upload page only looks at each
file's first bytes, and the mailbox is read whole only in the background jobs. There is no
column mapping for mail, so the dry run starts as soon as the upload is stored.
"""

from __future__ import annotations

import tempfile
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from haven.accounts.models import User
from haven.intake.models import ImportBatch, MailMessage

from . import mail_store, sealed_store, selectors
from .errors import ImportFileError
from .mail import COUNTED_FLAG_LABELS, mail_flag_label
from .mail_upload import OUTCOMES, mail_upload_queue
from .mail_upload_files import HEAD_BYTES, sniff, zip_checked
from .services import import_batch_create
from .source import file_digest
from .tasks_mail import mail_import_task, mail_preview_task
from .upload_scan import upload_refusal
from .views import _staff, progress_response

OUTCOME_LABELS = {
    "import": gettext_lazy("Will be imported"),
    "data_entry": gettext_lazy("Will be imported, for data entry"),
    "already_imported": gettext_lazy("Already imported: skipped"),
    "repeated": gettext_lazy("Repeated in this upload: skipped"),
    "rejected": gettext_lazy("Refused"),
}
REASON_LABELS = {
    "empty": gettext_lazy("Empty message: nothing in it"),
    "too_large": gettext_lazy("Message too large"),
    "unreadable": gettext_lazy("Damaged in the archive"),
    "store_failed": gettext_lazy("Could not be stored"),
}
# A counted flag's label, for the summary over many messages (each has its own count).
_FLAG_SUMMARY_LABELS = {
    "members_unnamed": gettext_lazy("Family members mentioned but not named"),
    "family_list": gettext_lazy("A list of families: to split into one request each"),
    "members_too_many": gettext_lazy("Too many people for one household"),
}


class _MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class _MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", _MultipleFileInput(attrs={"accept": _ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        files = data if isinstance(data, list | tuple) else [data]
        return [super(_MultipleFileField, self).clean(f, initial) for f in files]


_ACCEPT = ".mbox,.eml,.zip,.tar,.tgz,.gz,message/rfc822,application/mbox,application/zip"


class MailUploadForm(forms.Form):
    mailbox = _MultipleFileField(
        label=gettext_lazy("E-mail: an mbox file, .eml files, or a zip or tar of a Maildir"),
    )


class _TotalLimit(FileUploadHandler):
    """Counts the bytes of all the uploaded files together and drops the upload past the limit."""

    def __init__(self, request: HttpRequest, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.received = 0
        self.too_large = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.received > self.limit:
            self.too_large = True
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def _list_page(
    request: HttpRequest, user: User, form: MailUploadForm, status: int, error: str = ""
) -> HttpResponse:
    batches = selectors.import_batch_list(user=user).filter(kind=ImportBatch.Kind.EMAIL)[:50]
    limit_mb = settings.HAVEN_MAX_UPLOAD_BYTES / (1024 * 1024)
    context = {
        "form": form,
        "batches": batches,
        "limit_mb": f"{limit_mb:,.0f}" if limit_mb >= 1 else f"{limit_mb:.2f}",
        "upload_error": error,
    }
    return render(request, "intake/importing/mail_list.html", context, status=status)


@login_required
@require_GET
def mail_list(request: HttpRequest) -> HttpResponse:
    return _list_page(request, _staff(request), MailUploadForm(), 200)


@csrf_exempt  # the CSRF check runs in _upload, once the size is known to be acceptable
@login_required
@require_POST
def mail_upload(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    limit = settings.HAVEN_MAX_UPLOAD_BYTES
    if int(request.META.get("CONTENT_LENGTH") or 0) > limit + 64 * 1024:
        return _too_large(request, user)
    handler = _TotalLimit(request, limit)
    cast(list[FileUploadHandler], request.upload_handlers).insert(0, handler)
    return _upload(request, handler)


def _too_large(request: HttpRequest, user: User) -> HttpResponse:
    limit_mb = settings.HAVEN_MAX_UPLOAD_BYTES / (1024 * 1024)
    error = _(
        "The upload is larger than the limit of %(limit)s MB, so it was not read or stored. "
        "Upload the mailbox in parts, or ask an administrator to import it with the "
        "haven import-mail command, which has no size limit."
    ) % {"limit": f"{limit_mb:,.0f}" if limit_mb >= 1 else f"{limit_mb:.2f}"}
    return _list_page(request, user, MailUploadForm(), 413, error)


def _kinds(form: MailUploadForm, files: list[UploadedFile]) -> list[str]:
    """Each file's kind, from its first bytes; a form error for any that is not e-mail."""
    kinds = []
    for uploaded in files:
        uploaded.seek(0)
        kind = sniff(uploaded.read(HEAD_BYTES))
        uploaded.seek(0)
        name = uploaded.name or "upload"
        if not kind:
            form.add_error(
                "mailbox",
                _(
                    "“%(name)s” is not e-mail: upload an mbox file, .eml files, "
                    "or a zip or tar of a Maildir."
                )
                % {"name": name},
            )
        elif kind == "zip":
            try:
                zip_checked(cast(Any, uploaded.file))
            except ImportFileError as exc:
                form.add_error("mailbox", f"“{name}”: {exc.message}")
        if kind and (refusal := upload_refusal(cast(Any, uploaded.file), name=name)):
            form.add_error("mailbox", refusal)
        kinds.append(kind)
    return kinds


def _file_name(files: list[UploadedFile]) -> str:
    first = (files[0].name or "upload").replace("\\", "/").rsplit("/", 1)[-1]
    if len(files) == 1:
        return first
    return _("%(name)s and %(n)s more") % {"name": first, "n": len(files) - 1}


@csrf_protect
def _upload(request: HttpRequest, handler: _TotalLimit) -> HttpResponse:
    user = _staff(request)
    form = MailUploadForm(request.POST, request.FILES)
    if handler.too_large:
        return _too_large(request, user)
    if not form.is_valid():
        return _list_page(request, user, form, 400)
    files: list[UploadedFile] = form.cleaned_data["mailbox"]
    kinds = _kinds(form, files)
    if not form.is_valid():
        return _list_page(request, user, form, 400)
    with tempfile.TemporaryFile() as packed:
        mail_store.pack([(f.name or "upload", cast(Any, f.file)) for f in files], packed)
        sha256, size = file_digest(packed)
        stored = sealed_store.seal(packed, directory=mail_store.UPLOAD_DIR)
    with transaction.atomic():
        batch = import_batch_create(
            organization=None,
            kind=ImportBatch.Kind.EMAIL,
            file_name=_file_name(files),
            file_sha256=sha256,
            file_size=size,
            actor=user,
            file_format=kinds[0] if len(set(kinds)) == 1 else "mixed",
            stored_path=stored,
            status=ImportBatch.Status.PREVIEWING,
        )
        transaction.on_commit(lambda: mail_preview_task.enqueue(batch.pk))
    return redirect("importing:mail_detail", pk=batch.pk)


def _flag_labels(codes: dict[str, int]) -> list[tuple[str, int]]:
    return [
        (str(_FLAG_SUMMARY_LABELS.get(code) or mail_flag_label(code)), count)
        for code, count in codes.items()
        if code not in COUNTED_FLAG_LABELS or code in _FLAG_SUMMARY_LABELS
    ]


def _preview_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    shown = []
    for row in rows:
        labels = [mail_flag_label(flag) for flag in row.get("flags", [])]
        if row.get("sponsor"):
            labels.append(_("The sender writes for several families: a sponsor, not evidence"))
        reason = REASON_LABELS.get(row.get("reason", ""), row.get("reason", ""))
        shown.append(
            {
                **row,
                "flag_labels": labels,
                "outcome_label": OUTCOME_LABELS.get(row["outcome"], row["outcome"]),
                "reason_label": reason,
            }
        )
    return shown


def _can_resume(batch: ImportBatch) -> bool:
    """An import that stopped carries on; a dry run that failed has nothing to resume."""
    return batch.rows_expected is not None and selectors.import_batch_can_resume(batch)


def _detail_context(batch: ImportBatch) -> dict[str, Any]:
    preview = batch.preview if "rows" in batch.preview else None
    context: dict[str, Any] = {
        "batch": batch,
        "preview": preview,
        "can_resume": _can_resume(batch),
        "rejected_sample": [
            (row, REASON_LABELS.get(row.reason, row.reason), (row.cells or [""])[0])
            for row in batch.rejected_rows.order_by("row_number")[:50]
        ],
        "data_entry": MailMessage.objects.filter(
            batch=batch, request__needs_data_entry=True
        ).count(),
    }
    if preview is not None:
        context["outcomes"] = [(OUTCOME_LABELS[code], preview.get(code, 0)) for code in OUTCOMES]
        context["flag_counts"] = _flag_labels(preview.get("flag_counts", {}))
        context["preview_rows"] = _preview_rows(preview.get("rows", []))
    return context


@login_required
@require_GET
def mail_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _staff(request)
    batch = selectors.import_batch_get(user=user, pk=pk)
    if batch.kind != ImportBatch.Kind.EMAIL:
        return redirect("importing:detail", pk=batch.pk)
    batch = selectors.import_batch_get_for_detail(user=user, pk=pk)
    return render(request, "intake/importing/mail_detail.html", _detail_context(batch))


@login_required
@require_POST
def mail_import_start(request: HttpRequest, pk: int) -> HttpResponse:
    user = _staff(request)
    batch = selectors.import_batch_get(user=user, pk=pk)
    if batch.kind != ImportBatch.Kind.EMAIL or not batch.stored_path:
        return redirect("importing:mail_detail", pk=batch.pk)
    resume = _can_resume(batch)
    if batch.status == ImportBatch.Status.PREVIEWED or resume:
        with transaction.atomic():
            mail_upload_queue(batch=batch, actor=user, resume=resume)
            transaction.on_commit(lambda: mail_import_task.enqueue(batch.pk))
    return redirect("importing:mail_detail", pk=batch.pk)


@login_required
@require_GET
def mail_progress(request: HttpRequest, pk: int) -> HttpResponse:
    return progress_response(request, pk, "intake/importing/_mail_progress.html")
