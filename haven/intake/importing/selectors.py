"""Reads of import data, with access enforced for staff and none needed for the CLI."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from haven.accounts import permissions
from haven.audit.models import AuditAction
from haven.audit.services import audit_record
from haven.intake.models import ImportBatch, RejectedRow, Request
from haven.intake.selectors import receipt_number_checked

from .errors import ImportFileError

if TYPE_CHECKING:
    from haven.accounts.models import Organization, User

# A running import commits a chunk every second or so; silence this long means it died.
STALE_AFTER = dt.timedelta(minutes=2)


def import_batch_resumable(*, organization: Organization, file_sha256: str) -> ImportBatch | None:
    """An unfinished import of this very file from this source, to carry on with."""
    candidates = ImportBatch.objects.filter(
        organization=organization,
        file_sha256=file_sha256,
        kind=ImportBatch.Kind.SPREADSHEET,
        status__in=[ImportBatch.Status.RUNNING, ImportBatch.Status.FAILED],
    ).order_by("-created_at")
    batch = candidates.first()
    if batch is None:
        return None
    alive = batch.heartbeat_at and timezone.now() - batch.heartbeat_at < STALE_AFTER
    if batch.status == ImportBatch.Status.RUNNING and alive:
        raise ImportFileError(
            f"This file is being imported right now (import {batch.pk}); wait for it to finish."
        )
    return batch


def import_batch_can_resume(batch: ImportBatch) -> bool:
    """An uploaded file whose import stopped, or whose worker went silent, can carry on."""
    if not batch.stored_path:
        return False
    if batch.status == ImportBatch.Status.FAILED:
        return True
    stale = batch.heartbeat_at is None or timezone.now() - batch.heartbeat_at >= STALE_AFTER
    return batch.status == ImportBatch.Status.RUNNING and stale


def _check(user: User) -> None:
    if not permissions.can_enter_requests(user):
        raise PermissionDenied


def import_batch_list(*, user: User) -> QuerySet[ImportBatch]:
    _check(user)
    return ImportBatch.objects.select_related("organization", "created_by")


def import_batch_get(*, user: User, pk: int) -> ImportBatch:
    _check(user)
    batch = ImportBatch.objects.select_related("organization").filter(pk=pk).first()
    if batch is None:
        raise Http404
    return batch


def import_batch_get_for_detail(*, user: User, pk: int) -> ImportBatch:
    """An import's page: its preview and rejected rows show names, so reading it is audited."""
    batch = import_batch_get(user=user, pk=pk)
    audit_record(actor=user, action=AuditAction.VIEW, obj=batch, summary=f"Import {batch.pk}")
    return batch


def import_error_report(*, user: User, pk: int) -> tuple[ImportBatch, QuerySet[RejectedRow]]:
    """The rejected rows of an import, for download: an export, so it is audited."""
    batch = import_batch_get(user=user, pk=pk)
    audit_record(
        actor=user,
        action=AuditAction.EXPORT,
        obj=batch,
        summary=f"Error report of import {batch.pk} downloaded",
        details={"rejected": batch.rejected},
    )
    return batch, RejectedRow.objects.filter(batch=batch).order_by("row_number", "pk")


def request_original_get(*, user: User, receipt_number: str, export: bool = False) -> Request:
    """A request with its raw input, for staff to read (or download) what was sent."""
    _check(user)
    receipt_number = receipt_number_checked(receipt_number)
    request = (
        Request.objects.filter(receipt_number=receipt_number)
        .select_related("mail_message", "mail_part__message")
        .first()
    )
    if request is None:
        raise Http404
    audit_record(
        actor=user,
        action=AuditAction.EXPORT if export else AuditAction.VIEW,
        obj=request,
        summary="Original downloaded" if export else "Original viewed",
    )
    return request
