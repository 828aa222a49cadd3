"""The task force's list of outgoing messages: the rows behind the dashboard's message figures.

Caseworkers and supervisors only (accounts.permissions.can_list_case_work). A row shows when
the message was written, its channel, purpose, language, where it stands and the case's
reference: never the address or number, the subject, the body or the provider's error text
(which can repeat the number). Each page read is audited with the ids it showed.
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

from .models import Message

# What the list reads: nothing encrypted is decrypted for it.
LIST_FIELDS = (
    "id",
    "channel",
    "purpose",
    "language",
    "status",
    "attempts",
    "created_at",
    "sent_at",
    "case_id",
)


@dataclass(frozen=True)
class StaffMessageFilters:
    channel: str = ""
    status: str = ""
    purpose: str = ""
    # The local calendar days the message was written on (the dashboard counts a period).
    created_from: dt.date | None = None
    created_to: dt.date | None = None

    def as_details(self) -> dict[str, Any]:
        return {
            "channel": self.channel,
            "status": self.status,
            "purpose": self.purpose,
            "created_from": self.created_from.isoformat() if self.created_from else None,
            "created_to": self.created_to.isoformat() if self.created_to else None,
        }


def staff_message_list(*, user: User, filters: StaffMessageFilters) -> QuerySet[Message]:
    if not permissions.can_list_case_work(user):
        raise PermissionDenied
    found = Message.objects.all()
    if filters.channel:
        found = found.filter(channel=filters.channel)
    if filters.status:
        found = found.filter(status=filters.status)
    if filters.purpose:
        found = found.filter(purpose=filters.purpose)
    # __date is the local day (USE_TZ), the same day the dashboard's period counts.
    if filters.created_from:
        found = found.filter(created_at__date__gte=filters.created_from)
    if filters.created_to:
        found = found.filter(created_at__date__lte=filters.created_to)
    return found.only(*LIST_FIELDS).order_by("-created_at", "-id")


def audit_staff_message_list(
    *, user: User, filters: StaffMessageFilters, ids: list[int], page: int
) -> None:
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        object_type="communications.message",
        summary="Message list",
        details={"messages": ids, "page": page, **filters.as_details()},
    )
