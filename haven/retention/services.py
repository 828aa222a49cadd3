"""Retention: personal data of cases closed longer than the policy allows is erased.

HAVEN_RETENTION_CLOSED_CASE_DAYS (default 730; 0 turns retention off): a closed case whose
last closing is older than that, and that has no legal hold, has its personal data erased
(haven/retention/erasure.py) and gets a tombstone (ErasedCase) with counts. The periodic job
`retention` (run by `haven tick`) does it; `haven retention --dry-run` lists what would go.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import DateTimeField, Max, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from haven.accounts import permissions
from haven.accounts.models import User
from haven.audit.models import AuditAction
from haven.audit.services import audit_record
from haven.cases.models import Case, CaseEvent

from . import erasure
from .models import ErasedCase, LegalHold

# How many cases one run erases: a first run after a long gap must not hold locks for long;
# the next tick takes the next batch.
BATCH = 200


class RetentionError(Exception):
    pass


def retention_days() -> int:
    return int(getattr(settings, "HAVEN_RETENTION_CLOSED_CASE_DAYS", 730))


def _closed_at() -> Subquery:
    closings = (
        CaseEvent.objects.filter(
            case=OuterRef("pk"),
            kind__in=[CaseEvent.Kind.STATUS_CHANGED, CaseEvent.Kind.MERGED_INTO],
        )
        .values("case")
        .annotate(last=Max("at"))
        .values("last")
    )
    return Subquery(closings, output_field=DateTimeField())


def due_cases(*, now: dt.datetime | None = None) -> QuerySet[Case]:
    """Closed cases past the policy, not held, not yet erased; oldest closing first."""
    days = retention_days()
    if days <= 0:
        return Case.objects.none()
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    return (
        Case.objects.filter(status=Case.Status.CLOSED)
        .annotate(closed_at=Coalesce(_closed_at(), "updated_at"))
        .filter(closed_at__lt=cutoff, legal_hold__isnull=True, erasure__isnull=True)
        .order_by("closed_at", "pk")
    )


@dataclass(frozen=True)
class DueCase:
    reference: str
    closed_at: dt.datetime
    counts: dict[str, int]


def retention_dry_run(*, now: dt.datetime | None = None, limit: int = 1000) -> list[DueCase]:
    return [
        DueCase(
            reference=case.reference,
            closed_at=case.closed_at,  # type: ignore[attr-defined]
            counts=erasure.what_would_go(case.pk),
        )
        for case in due_cases(now=now)[:limit]
    ]


@transaction.atomic
def case_erase(
    *, case: Case, actor: User | None, policy: str, closed_at: dt.datetime | None = None
) -> ErasedCase:
    """Erase one case's personal data and leave its tombstone; audited."""
    # Locked so a legal hold set at this moment, or a second run, cannot race the erasure.
    # No key of the locked rows changes (no delete, no unique column): FOR NO KEY UPDATE
    # on PostgreSQL, which does not hold up inserts of rows referencing them.
    locked = Case.objects.select_for_update(no_key=True).get(pk=case.pk)
    if LegalHold.objects.filter(case=locked).exists():
        raise RetentionError(f"{locked.reference} is under a legal hold.")
    if ErasedCase.objects.filter(case=locked).exists():
        raise RetentionError(f"{locked.reference} was erased already.")
    if locked.status != Case.Status.CLOSED:
        raise RetentionError(f"{locked.reference} is not closed.")
    counts = erasure.erase(erasure.scope_of({locked.pk}))
    tombstone = ErasedCase.objects.create(
        case=locked, closed_at=closed_at, counts=counts, policy=policy[:300], erased_by=actor
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        summary=f"Erased the personal data of {locked.reference} ({policy})"[:300],
        details={"case": locked.pk, "retention": "erased", "counts": counts},
    )
    return tombstone


def retention_run(*, now: dt.datetime | None = None, batch: int = BATCH) -> list[ErasedCase]:
    days = retention_days()
    done = []
    for case in list(due_cases(now=now)[:batch]):
        try:
            done.append(
                case_erase(
                    case=case,
                    actor=None,
                    policy=f"closed more than {days} days",
                    closed_at=case.closed_at,  # type: ignore[attr-defined]
                )
            )
        except RetentionError:
            continue  # held or reopened since it was listed
    return done


def retention_job() -> str:
    """The periodic job: counts only in its line, never who."""
    return f"erased {len(retention_run())} cases"


@transaction.atomic
def legal_hold_set(*, case: Case, actor: User, reason: str) -> LegalHold:
    if not permissions.can_merge_cases(actor):  # an oversight decision, as merging is
        raise PermissionDenied
    if not reason.strip():
        raise RetentionError("A legal hold needs a reason.")
    hold, created = LegalHold.objects.get_or_create(
        case=case, defaults={"reason": reason[:300], "set_by": actor}
    )
    if created:
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=case,
            summary=f"Legal hold on {case.reference}",
            details={"case": case.pk, "legal_hold": True, "reason": reason[:300]},
        )
    return hold


@transaction.atomic
def legal_hold_release(*, case: Case, actor: User, reason: str) -> bool:
    if not permissions.can_merge_cases(actor):
        raise PermissionDenied
    if not reason.strip():
        raise RetentionError("Lifting a legal hold needs a reason.")
    deleted, _ = LegalHold.objects.filter(case=case).delete()
    if deleted:
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=case,
            summary=f"Legal hold released on {case.reference}",
            details={
                "case": case.pk,
                "changes": {"legal_hold": [True, False]},
                "reason": reason[:300],
            },
        )
    return bool(deleted)
