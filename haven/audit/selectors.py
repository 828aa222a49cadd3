from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from haven.accounts import permissions
from haven.accounts.models import User

from .models import AuditAction, AuditEvent
from .services import audit_record


def audit_event_list(
    *, user: User, action: str = "", actor: str = "", object_type: str = "", object_id: str = ""
) -> QuerySet[AuditEvent]:
    if not permissions.can_read_audit(user):
        raise PermissionDenied
    # Reading the trail is itself on the trail: who looked at whose activity.
    filters = {"action": action, "actor": actor, "object_type": object_type, "object_id": object_id}
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        object_type="audit.auditevent",
        summary="Audit trail read",
        details={k: v[:100] for k, v in filters.items() if v},
    )
    events = AuditEvent.objects.all()
    if action:
        events = events.filter(action=action)
    if actor:
        events = events.filter(actor_label=actor)
    if object_type:
        events = events.filter(object_type=object_type)
    if object_id:
        events = events.filter(object_id=object_id)
    return events.order_by("-at", "-id")
