"""The task force's list of referrals: the rows behind the dashboard's referral figures.

Caseworkers and supervisors only (accounts.permissions.can_list_case_work); partners see
their own referrals in the workspace, never this list. A row shows the referral's and the
case's references, the partner, the service and where it stands: no names, no reason, no
snapshot. Each page read is audited with the ids it showed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from haven.accounts import permissions
from haven.accounts.models import User
from haven.audit.models import AuditAction
from haven.audit.services import audit_record

from .models import Referral


@dataclass(frozen=True)
class StaffReferralFilters:
    partner: int | None = None
    status: str = ""
    service: int | None = None
    overdue: bool = False
    # The local calendar days the referral was sent on (the dashboard counts a period).
    sent_from: dt.date | None = None
    sent_to: dt.date | None = None

    def as_details(self) -> dict[str, Any]:
        return {
            "partner": self.partner,
            "status": self.status,
            "service": self.service,
            "overdue": self.overdue,
            "sent_from": self.sent_from.isoformat() if self.sent_from else None,
            "sent_to": self.sent_to.isoformat() if self.sent_to else None,
        }


def staff_referral_list(*, user: User, filters: StaffReferralFilters) -> QuerySet[Referral]:
    """Referrals these filters select, newest sent first (drafts, never sent, last)."""
    if not permissions.can_list_case_work(user):
        raise PermissionDenied
    found = Referral.objects.all()
    if filters.partner:
        found = found.filter(organization_id=filters.partner)
    if filters.status:
        found = found.filter(status=filters.status)
    if filters.service:
        found = found.filter(service_id=filters.service)
    if filters.overdue:
        found = found.filter(overdue=True)
    # __date is the local day (USE_TZ), the same day the dashboard's period counts.
    if filters.sent_from:
        found = found.filter(sent_at__date__gte=filters.sent_from)
    if filters.sent_to:
        found = found.filter(sent_at__date__lte=filters.sent_to)
    return found.select_related("organization", "service").order_by(
        "-sent_at", "-created_at", "-id"
    )


def audit_staff_referral_list(
    *, user: User, filters: StaffReferralFilters, ids: list[int], page: int
) -> None:
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        object_type="referrals.referral",
        summary="Referral list",
        details={"referrals": ids, "page": page, **filters.as_details()},
    )
