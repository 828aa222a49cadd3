"""Case exports with personal data: requested by a supervisor, approved by a second one above
HAVEN_REPORTS_EXPORT_APPROVAL_ROWS (50), written as an AES-encrypted zip holding a watermarked
workbook, downloaded by the requester only, deleted after HAVEN_REPORTS_EXPORT_EXPIRY_HOURS
(24). Every step is in the export register (CaseExport) and the audit trail."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.accounts.models import User
from haven.audit.models import AuditAction
from haven.audit.services import audit_record
from haven.cases.selectors import CaseFilters, case_list

from ..models import CaseExport
from ..permissions import can_export_personal_data
from .fields import BY_NAME
from .workbook import export_rows, export_workbook


def approval_rows() -> int:
    return int(getattr(settings, "HAVEN_REPORTS_EXPORT_APPROVAL_ROWS", 50))


def expiry() -> dt.timedelta:
    return dt.timedelta(hours=float(getattr(settings, "HAVEN_REPORTS_EXPORT_EXPIRY_HOURS", 24)))


def export_dir() -> Path:
    path = Path(settings.VAR_DIR) / "exports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _require(user: User) -> None:
    if not can_export_personal_data(user):
        raise PermissionDenied(_("Only supervisors may export case data."))


def fields_check(*, user: User, fields: list[str], unmasked: list[str]) -> None:
    """A clear refusal for any field the user's role may not export (or that does not exist)."""
    problems = []
    if not fields:
        problems.append(_("Choose at least one field to export."))
    for name in fields + unmasked:
        field = BY_NAME.get(name)
        if field is None:
            problems.append(_("“%(name)s” cannot be exported.") % {"name": name})
        elif user.role not in field.roles:
            problems.append(
                _("Your role may not export “%(label)s”.") % {"label": str(field.label)}
            )
    for name in unmasked:
        field = BY_NAME.get(name)
        if field is not None and not field.identifier:
            problems.append(_("Only identifiers can be shown in clear: %(name)s.") % {"name": name})
        elif name not in fields:
            problems.append(
                _("An identifier shown in clear must also be exported: %(name)s.") % {"name": name}
            )
    if problems:
        raise ValidationError(sorted(set(problems)))


def _cases(user: User, filters: dict[str, Any]) -> Any:
    return case_list(
        user=user,
        filters=CaseFilters(
            pathway=filters.get("pathway", ""),
            province=filters.get("province", ""),
            is_open=bool(filters.get("open")),
            first_from=dt.date.fromisoformat(filters["date_from"])
            if filters.get("date_from")
            else None,
            first_to=dt.date.fromisoformat(filters["date_to"]) if filters.get("date_to") else None,
        ),
    )


@dataclass(frozen=True)
class ExportFile:
    export: CaseExport
    passphrase: str


@transaction.atomic
def export_request(
    *, user: User, fields: list[str], unmasked: list[str], filters: dict[str, Any], reason: str
) -> CaseExport:
    _require(user)
    fields_check(user=user, fields=fields, unmasked=unmasked)
    rows = _cases(user, filters).count()
    if rows == 0:
        raise ValidationError(_("No cases match these filters: there is nothing to export."))
    needs_approval = rows > approval_rows()
    export = CaseExport.objects.create(
        requested_by=user,
        reason=reason,
        fields=fields,
        unmasked=unmasked,
        filters=filters,
        row_count=rows,
        status=CaseExport.Status.AWAITING_APPROVAL
        if needs_approval
        else CaseExport.Status.APPROVED,
    )
    audit_record(
        actor=user,
        action=AuditAction.CREATE,
        obj=export,
        summary=f"Requested case export {export.reference} ({rows} rows)",
        details={"fields": fields, "unmasked": unmasked, "rows": rows, "filters": filters},
    )
    return export


@transaction.atomic
def export_approve(*, export: CaseExport, user: User) -> CaseExport:
    _require(user)
    # Lock the row: two supervisors pressing at once must not both decide.
    # No key of the locked rows changes (no delete, no unique column): FOR NO KEY UPDATE
    # on PostgreSQL, which does not hold up inserts of rows referencing them.
    export = CaseExport.objects.select_for_update(no_key=True).get(pk=export.pk)
    if export.requested_by_id == user.pk:
        raise ValidationError(
            _("A second supervisor must approve: you cannot approve your own export.")
        )
    if export.status != CaseExport.Status.AWAITING_APPROVAL:
        raise ValidationError(_("This export is not waiting for approval."))
    export.status = CaseExport.Status.APPROVED
    export.approved_by = user
    export.approved_at = timezone.now()
    export.save(update_fields=["status", "approved_by", "approved_at"])
    audit_record(
        actor=user,
        action=AuditAction.UPDATE,
        obj=export,
        summary=f"Approved case export {export.reference}",
    )
    return export


@transaction.atomic
def export_refuse(*, export: CaseExport, user: User) -> CaseExport:
    _require(user)
    # No key of the locked rows changes (no delete, no unique column): FOR NO KEY UPDATE
    # on PostgreSQL, which does not hold up inserts of rows referencing them.
    export = CaseExport.objects.select_for_update(no_key=True).get(pk=export.pk)
    if export.status != CaseExport.Status.AWAITING_APPROVAL:
        raise ValidationError(_("This export is not waiting for approval."))
    export.status = CaseExport.Status.REFUSED
    export.approved_by = user
    export.approved_at = timezone.now()
    export.save(update_fields=["status", "approved_by", "approved_at"])
    audit_record(
        actor=user,
        action=AuditAction.UPDATE,
        obj=export,
        summary=f"Refused case export {export.reference}",
    )
    return export


def _passphrase() -> str:
    raw = base64.b32encode(secrets.token_bytes(15)).decode()
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


@transaction.atomic
def export_file_create(*, export: CaseExport, user: User) -> ExportFile:
    """Write the encrypted file; the passphrase is returned once and never stored."""
    import pyzipper

    _require(user)
    # Lock the row: the file is written once, by its requester, after approval.
    # No key of the locked rows changes (no delete, no unique column): FOR NO KEY UPDATE
    # on PostgreSQL, which does not hold up inserts of rows referencing them.
    export = CaseExport.objects.select_for_update(no_key=True).get(pk=export.pk)
    if export.requested_by_id != user.pk:
        raise PermissionDenied(
            _("Only the supervisor who requested an export may create its file.")
        )
    if export.status != CaseExport.Status.APPROVED:
        raise ValidationError(
            _("This export cannot be created now (%(status)s).")
            % {"status": export.get_status_display()}
        )
    now = timezone.now()
    cases = list(_cases(user, export.filters).values_list("pk", flat=True)[: export.row_count])
    rows = export_rows(case_ids=cases, fields=export.fields, unmasked=export.unmasked)
    workbook = export_workbook(export=export, rows=rows, requester=user, at=now)
    passphrase = _passphrase()
    path = export_dir() / f"{export.reference}-{secrets.token_hex(8)}.zip"
    with pyzipper.AESZipFile(
        path, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES
    ) as archive:
        archive.setpassword(passphrase.encode())
        archive.writestr(f"{export.reference}.xlsx", workbook)
    path.chmod(0o600)
    export.status = CaseExport.Status.READY
    export.file_path = str(path)
    export.sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
    export.created_file_at = now
    export.expires_at = now + expiry()
    export.row_count = len(rows)
    export.save(
        update_fields=[
            "status",
            "file_path",
            "sha256",
            "created_file_at",
            "expires_at",
            "row_count",
        ]
    )
    audit_record(
        actor=user,
        action=AuditAction.EXPORT,
        obj=export,
        summary=f"Created case export file {export.reference} ({len(rows)} rows)",
        details={"fields": export.fields, "unmasked": export.unmasked, "rows": len(rows)},
    )
    return ExportFile(export=export, passphrase=passphrase)


@transaction.atomic
def export_download(*, export: CaseExport, user: User) -> Path:
    """The file's path for the requester to download, audited; refused once expired."""
    _require(user)
    # No key of the locked rows changes (no delete, no unique column): FOR NO KEY UPDATE
    # on PostgreSQL, which does not hold up inserts of rows referencing them.
    export = CaseExport.objects.select_for_update(no_key=True).get(pk=export.pk)
    if export.requested_by_id != user.pk:
        raise PermissionDenied(_("Only the supervisor who requested an export may download it."))
    if export.status != CaseExport.Status.READY or not export.file_path:
        raise ValidationError(_("There is no file to download for this export."))
    now = timezone.now()
    if export.expires_at is not None and export.expires_at <= now:
        raise ValidationError(_("This export has expired; request a new one."))
    export.first_downloaded_at = export.first_downloaded_at or now
    export.last_downloaded_at = now
    export.download_count += 1
    export.save(update_fields=["first_downloaded_at", "last_downloaded_at", "download_count"])
    audit_record(
        actor=user,
        action=AuditAction.EXPORT,
        obj=export,
        summary=f"Downloaded case export {export.reference}",
        details={
            "rows": export.row_count,
            "download": export.download_count,
            "sha256": export.sha256,
        },
    )
    return Path(export.file_path)


def exports_expire() -> str:
    """Periodic job: delete the files of exports past their expiry (idempotent)."""
    expired = 0
    due = CaseExport.objects.filter(status=CaseExport.Status.READY, expires_at__lte=timezone.now())
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            # No key of the locked rows changes (no delete, no unique column): FOR NO KEY UPDATE
            # on PostgreSQL, which does not hold up inserts of rows referencing them.
            export = CaseExport.objects.select_for_update(no_key=True).get(pk=pk)
            if export.status != CaseExport.Status.READY:
                continue
            Path(export.file_path).unlink(missing_ok=True)
            export.status = CaseExport.Status.EXPIRED
            export.file_path = ""
            export.save(update_fields=["status", "file_path"])
            audit_record(
                actor=None,
                action=AuditAction.UPDATE,
                obj=export,
                summary=f"Case export {export.reference} expired; file deleted",
            )
            expired += 1
    return f"{expired} case exports expired"
