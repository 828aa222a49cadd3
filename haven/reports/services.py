"""Writes of reports: sitrep jobs (rendered now or in the background) and their audit."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from haven.accounts.models import User
from haven.audit.models import AuditAction
from haven.audit.services import audit_record

from .filters import ReportFilters
from .models import SitrepJob
from .sitrep import sitrep_build, sitrep_render


def inline_days() -> int:
    """Periods up to this many days are rendered in the request; longer ones in the background."""
    return int(getattr(settings, "HAVEN_REPORTS_SITREP_INLINE_DAYS", 92))


def filters_to_json(filters: ReportFilters) -> dict[str, object]:
    values = dataclasses.asdict(filters)
    values["date_from"] = filters.date_from.isoformat()
    values["date_to"] = filters.date_to.isoformat()
    return values


def filters_from_json(values: dict[str, object]) -> ReportFilters:
    data = dict(values)
    data["date_from"] = dt.date.fromisoformat(str(data["date_from"]))
    data["date_to"] = dt.date.fromisoformat(str(data["date_to"]))
    return ReportFilters(**data)  # type: ignore[arg-type]


def sitrep_audit(*, user: User | None, filters: ReportFilters, fmt: str, language: str) -> None:
    audit_record(
        actor=user,
        action=AuditAction.EXPORT,
        object_type="reports.sitrep",
        summary=f"Sitrep {fmt} {filters.date_from}–{filters.date_to} ({language})",
        details={"filters": filters_to_json(filters), "format": fmt, "language": language},
    )


@transaction.atomic
def sitrep_job_create(*, user: User, filters: ReportFilters, fmt: str, language: str) -> SitrepJob:
    from .tasks import sitrep_job_run

    job = SitrepJob.objects.create(
        requested_by=user, format=fmt, language=language, filters=filters_to_json(filters)
    )
    transaction.on_commit(lambda: sitrep_job_run.enqueue(job.pk))
    return job


def sitrep_job_render(job_id: int) -> None:
    """Render a queued job, saving progress as it goes (each step commits on its own)."""
    job = SitrepJob.objects.get(pk=job_id)
    if job.status not in (SitrepJob.Status.QUEUED, SitrepJob.Status.RUNNING):
        return

    def progress(percent: int) -> None:
        SitrepJob.objects.filter(pk=job_id).update(
            status=SitrepJob.Status.RUNNING, progress=percent
        )

    progress(10)
    try:
        filters = filters_from_json(job.filters)
        report = sitrep_build(filters=filters, language=job.language, progress=progress)
        content = sitrep_render(report, job.format)
        progress(90)
        folder = Path(settings.VAR_DIR) / "sitreps"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"sitrep-{job.pk}.{job.format}"
        path.write_bytes(content)
    except Exception as error:  # the page must say it failed, not spin for ever
        SitrepJob.objects.filter(pk=job_id).update(
            status=SitrepJob.Status.FAILED, error=str(error)[:300], finished_at=timezone.now()
        )
        raise
    SitrepJob.objects.filter(pk=job_id).update(
        status=SitrepJob.Status.DONE, progress=100, file_path=str(path), finished_at=timezone.now()
    )
