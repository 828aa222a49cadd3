"""Writing to the audit trail. Every app calls audit_record; nothing else writes events."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.db import models

from .middleware import current_ip
from .models import AuditAction, AuditEvent

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    from haven.accounts.models import User


def audit_record(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    action: AuditAction | str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    summary: str = "",
    details: dict[str, Any] | None = None,
    ip_address: str | None = None,
) -> AuditEvent:
    """Append one event. Not atomic on its own: it joins the caller's transaction,
    so an event exists exactly when the write it describes does."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    user = cast("User | None", actor if actor is not None and actor.is_authenticated else None)
    return AuditEvent.objects.create(
        actor=user,
        actor_label=user.get_username() if user is not None else "anonymous",
        action=str(action),
        object_type=object_type,
        object_id=str(object_id),
        summary=summary[:300],
        details=details or {},
        ip_address=ip_address or current_ip.get(),
    )
