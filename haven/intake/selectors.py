"""Reads of intake data, with access enforced."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import BadRequest, PermissionDenied
from django.db.models import Count, Min
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from haven.accounts import permissions
from haven.accounts.models import User
from haven.audit.models import AuditAction
from haven.audit.services import audit_record

from .models import Request

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

# Receipt numbers are 14 characters (HV-XXXXX-XXXXX); the column holds at most this many.
RECEIPT_NUMBER_MAX_LENGTH = Request._meta.get_field("receipt_number").max_length or 20

# A request still waiting this long after it was stored means no worker is draining.
PENDING_STALE_AFTER = dt.timedelta(minutes=10)


def receipt_number_checked(receipt_number: str) -> str:
    """A receipt number from a URL, or a 400: NUL (which PostgreSQL refuses in a query) or
    more characters than any receipt has cannot name a request."""
    if "\x00" in receipt_number or len(receipt_number) > RECEIPT_NUMBER_MAX_LENGTH:
        raise BadRequest(_("That is not a receipt number."))
    return receipt_number


def request_get_for_receipt_page(*, user: User, receipt_number: str) -> Request:
    """The request behind a receipt, for the staff member printing it."""
    if not permissions.can_enter_requests(user):
        raise PermissionDenied
    receipt_number = receipt_number_checked(receipt_number)
    request = (
        Request.objects.filter(receipt_number=receipt_number)
        .prefetch_related("person_records")
        .first()
    )
    if request is None:
        raise Http404
    audit_record(actor=user, action=AuditAction.VIEW, obj=request, summary="Receipt viewed")
    return request


@dataclass(frozen=True)
class PendingIntake:
    """Requests received and stored whose pipeline has not run yet."""

    count: int
    # The oldest has waited longer than PENDING_STALE_AFTER: the worker may not be running.
    stale: bool

    def summary(self) -> str:
        """What is waiting, for staff and operators; empty when nothing is."""
        if not self.count:
            return ""
        return ngettext(
            "%(count)d request received, waiting to be matched (the background worker runs it).",
            "%(count)d requests received, waiting to be matched (the background worker runs them).",
            self.count,
        ) % {"count": self.count}

    def warning(self) -> str:
        """Said only when some have waited too long; empty otherwise."""
        if not self.stale:
            return ""
        return _(
            "Some have waited more than %(minutes)d minutes: the background worker may not be "
            "running (start it with `haven db_worker`, or run `haven intake-drain`)."
        ) % {"minutes": int(PENDING_STALE_AFTER.total_seconds() // 60)}


def pending_intake(*, now: dt.datetime | None = None) -> PendingIntake:
    """How many requests wait for the pipeline, and whether any has waited too long."""
    figures = Request.objects.filter(pipeline_pending=True).aggregate(
        count=Count("id"), oldest=Min("created_at")
    )
    oldest = figures["oldest"]
    now = now or timezone.now()
    return PendingIntake(
        count=figures["count"],
        stale=oldest is not None and now - oldest > PENDING_STALE_AFTER,
    )


def pending_intake_for(*, user: AbstractBaseUser | AnonymousUser) -> PendingIntake:
    """pending_intake for the desk page: the task force's roles only."""
    if not permissions.can_view_cases(user):
        raise PermissionDenied
    return pending_intake()
