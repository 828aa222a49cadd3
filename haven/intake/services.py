"""The one intake path. Every channel builds a RequestInput and calls request_create.

The work is in modules by job: inputs (what channels build, what the flow is handed),
records (person records and their identifiers), creation (request_create and
requests_create_many) and drain (the background pipeline for pending requests). This module
names the public services for callers, and holds the status secret's re-issue.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import transaction

from haven.accounts import permissions
from haven.audit.models import AuditAction
from haven.audit.services import audit_record
from haven.common import crypto

from .creation import (
    new_receipt_number,
    request_audit_summary,
    request_build,
    request_create,
    requests_create_many,
)
from .drain import (
    PENDING_BATCH,
    PendingTaken,
    pipeline_drain_enqueue,
    requests_pending_drain,
    requests_pending_process,
)
from .inputs import (
    CreatedRequest,
    IntakeFlow,
    IntakeItem,
    NewRequest,
    PersonInput,
    RequesterInput,
    RequestInput,
    intake_flow,
    pipeline_run,
)
from .models import Request
from .records import needs_data_entry

if TYPE_CHECKING:
    from haven.accounts.models import User

__all__ = [
    "PENDING_BATCH",
    "CreatedRequest",
    "IntakeFlow",
    "IntakeItem",
    "NewRequest",
    "PendingTaken",
    "PersonInput",
    "RequestInput",
    "RequesterInput",
    "intake_flow",
    "needs_data_entry",
    "new_receipt_number",
    "pipeline_drain_enqueue",
    "pipeline_run",
    "request_audit_summary",
    "request_build",
    "request_create",
    "request_secret_reissue",
    "requests_create_many",
    "requests_pending_drain",
    "requests_pending_process",
]


@transaction.atomic
def request_secret_reissue(*, request: Request, actor: User) -> str:
    """Give the request a new status secret and return it (to be shown once, like the
    first): the old one stops working at once. For a requester who lost the paper."""
    if not permissions.can_reissue_status_secrets(actor):
        raise PermissionDenied
    # Lock the row: two supervisors re-issuing at once must leave working the secret that
    # was shown last, not one nobody saw.
    # No key of the locked rows changes (no delete, no unique column): FOR NO KEY UPDATE
    # on PostgreSQL, which does not hold up inserts of rows referencing them.
    locked = (
        Request.objects.select_for_update(no_key=True)
        .only("id", "receipt_number")
        .get(pk=request.pk)
    )
    secret = crypto.new_secret()
    locked.status_secret_hash = crypto.hash_secret(secret)
    locked.save(update_fields=["status_secret_hash"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        summary=f"Status secret of {locked.receipt_number} re-issued; the old one no longer works",
        details={"receipt_number": locked.receipt_number},
    )
    return secret
