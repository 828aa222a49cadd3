from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from haven.audit.models import AuditAction, AuditEvent
from haven.audit.scope import AuditScope, object_scope, scope_for
from haven.audit.services import audit_record

from . import permissions
from .models import User


@dataclass(frozen=True)
class AuditFilters:
    action: str = ""
    # The actor's user name, exactly.
    actor: str = ""
    # A reference people use: C-0001234, a receipt HV-XXXXX-XXXXX, or app.model:id.
    reference: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    object_type: str = ""
    object_id: str = ""


@dataclass(frozen=True)
class AuditResult:
    events: QuerySet[AuditEvent]
    # What the reference was found to be; None when no reference was given, or none matched.
    scope: AuditScope | None
    unknown_reference: bool = False


def audit_event_list(*, user: User, filters: AuditFilters | None = None) -> AuditResult:
    if not permissions.can_read_audit(user):
        raise PermissionDenied
    filters = filters or AuditFilters()
    # Reading the trail is itself on the trail: who looked at whose activity.
    given = {k: str(v)[:100] for k, v in vars(filters).items() if v}
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        object_type="audit.auditevent",
        summary="Audit trail read",
        details=given,
    )
    events = AuditEvent.objects.all()
    if filters.action:
        events = events.filter(action=filters.action)
    if filters.actor:
        events = events.filter(actor_label=filters.actor)
    if filters.object_type:
        events = events.filter(object_type=filters.object_type)
    if filters.object_id:
        events = events.filter(object_id=filters.object_id)
    if filters.date_from:
        events = events.filter(at__date__gte=filters.date_from)
    if filters.date_to:
        events = events.filter(at__date__lte=filters.date_to)
    scope = None
    if filters.reference:
        scope = scope_for(filters.reference) or object_scope(filters.reference)
        if scope is None:
            return AuditResult(events=events.none(), scope=None, unknown_reference=True)
        events = events.filter(scope.q())
    return AuditResult(events=events.order_by("-at", "-id"), scope=scope)


def audit_export_allowed(user: User) -> bool:
    return permissions.can_read_audit(user)
