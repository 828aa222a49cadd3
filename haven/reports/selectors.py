"""Read-only counts and figures for reports and the `haven stats` command."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from haven.cases.models import Case
from haven.intake.models import PersonRecord, Request
from haven.intake.selectors import (  # noqa: F401 (read here by reports and its tests)
    PENDING_STALE_AFTER,
    PendingIntake,
    pending_intake,
    pending_intake_for,
)
from haven.resolution.models import Person

from . import permissions
from .figures import FigureTable, ReportContext, figures_build
from .filters import ReportFilters
from .models import SummaryState

# Re-exported: views read the summaries' state through selectors.
from .summary import summaries_current as summaries_current

if TYPE_CHECKING:
    from haven.accounts.models import User


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


@dataclass(frozen=True)
class Dashboard:
    tables: list[FigureTable]
    state: SummaryState
    full: bool

    def table(self, key: str) -> FigureTable:
        return next(t for t in self.tables if t.key == key)


def dashboard(*, user: User | None, filters: ReportFilters, full: bool | None = None) -> Dashboard:
    """The figures a user may see (403 for a role that sees none). `user=None` is the
    command line (`haven report`), which sees every figure."""
    if user is not None and not permissions.can_view_dashboard(user):
        raise PermissionDenied
    if full is None:
        full = user is None or permissions.can_view_full_dashboard(user)
    state = summaries_current()
    context = ReportContext(filters=filters, user=user, today=timezone.localdate(), full=full)
    return Dashboard(tables=figures_build(context), state=state, full=full)
