"""Read-only counts and figures for reports and the `haven stats` command."""

from __future__ import annotations

from typing import TYPE_CHECKING

from haven.cases.models import Case
from haven.intake.models import PersonRecord, Request
from haven.intake.selectors import (  # noqa: F401 (read here by reports and its tests)
    PENDING_STALE_AFTER,
    PendingIntake,
    pending_intake,
    pending_intake_for,
)
from haven.resolution.models import Person

if TYPE_CHECKING:
    pass


def desk_counts() -> dict[str, int]:
    """How much is on the desk: requests in, records parsed, distinct people, cases, and the
    requests stored but not yet through resolution, cases and triage (the background drain)."""
    return {
        "requests": Request.objects.count(),
        "requests_pending": Request.objects.filter(pipeline_pending=True).count(),
        "person_records": PersonRecord.objects.count(),
        # A merged-away person is kept for unmerge but is not a separate person.
        "people": Person.objects.filter(merged_into__isnull=True).count(),
        "cases": Case.objects.count(),
    }
