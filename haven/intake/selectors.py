"""Reads of intake data, with access enforced."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from haven.accounts import permissions
from haven.accounts.models import User
from haven.audit.models import AuditAction
from haven.audit.services import audit_record

from .models import Request


def request_get_for_receipt_page(*, user: User, receipt_number: str) -> Request:
    """The request behind a receipt, for the staff member printing it."""
    if not permissions.can_enter_requests(user):
        raise PermissionDenied
    request = (
        Request.objects.filter(receipt_number=receipt_number)
        .prefetch_related("person_records")
        .first()
    )
    if request is None:
        raise Http404
    audit_record(actor=user, action=AuditAction.VIEW, obj=request, summary="Receipt viewed")
    return request
