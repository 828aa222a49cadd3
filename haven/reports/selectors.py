"""Read-only counts and figures for reports and the `haven stats` command."""

from __future__ import annotations

from haven.cases.models import Case
from haven.intake.models import PersonRecord, Request
from haven.resolution.models import Person


def desk_counts() -> dict[str, int]:
    """How much is on the desk: requests in, records parsed, distinct people, cases."""
    return {
        "requests": Request.objects.count(),
        "person_records": PersonRecord.objects.count(),
        # A merged-away person is kept for unmerge but is not a separate person.
        "people": Person.objects.filter(merged_into__isnull=True).count(),
        "cases": Case.objects.count(),
    }
