"""Writing to the audit trail. Every app calls audit_record; nothing else writes events."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.db import models, transaction
from django.utils import timezone

from . import chain, stream
from .middleware import current_ip, denial_recorded
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
    so an event exists exactly when the write it describes does (outside one, it is its own)."""
    values = _event_values(actor, action, obj, object_type, object_id, summary, details, ip_address)
    # savepoint=False: inside a caller's transaction this adds no statement; outside one it
    # opens the transaction that holds the chain lock (chain.head_locked) until the insert.
    with transaction.atomic(savepoint=False):
        chain.extend([values])
        event = AuditEvent(**values)
        event.save(force_insert=True)
        stream.ship([{**values, "at": event.at}])
    if values["action"] == AuditAction.DENIED:
        # The request's denial is on the trail: the middleware does not record it twice.
        denial_recorded.set(True)
    return event


# Events per INSERT of audit_record_many on PostgreSQL: a spreadsheet chunk's or an intake
# batch's in one (SQLite's limit on parameters splits them further).
BATCH_SIZE = 2000


def audit_record_many(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    action: AuditAction | str,
    entries: list[tuple[models.Model, str, dict[str, Any]]],
) -> None:
    """Append one event per (object, summary, details), in one statement per
    BATCH_SIZE events: a spreadsheet chunk or an intake batch is audited row by row without
    a round trip per row."""
    # The chain's head is read once for the whole batch; bulk_create inserts the rows in
    # order, so their ids follow the chain.
    rows = [
        _event_values(actor, action, obj, "", "", summary, details, None)
        for obj, summary, details in entries
    ]
    if not rows:
        return
    with transaction.atomic(savepoint=False):
        chain.extend(rows)
        AuditEvent.objects.bulk_create([AuditEvent(**row) for row in rows], batch_size=BATCH_SIZE)
        stream.ship(rows)


def audit_event_new(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    action: AuditAction | str,
    obj: models.Model,
    summary: str,
    details: dict[str, Any],
) -> AuditEvent:
    """An event not yet saved, for a caller that writes it in the same statement as `obj`
    (obj's id already set), inside a transaction that commits right after: its chain hash is
    computed here, holding the chain lock (chain.head_locked) until then."""
    values = _event_values(actor, action, obj, "", "", summary, details, None)
    chain.extend([values])
    stream.ship([values])
    return AuditEvent(**values)


def _event_values(
    actor: AbstractBaseUser | AnonymousUser | None,
    action: AuditAction | str,
    obj: models.Model | None,
    object_type: str,
    object_id: str | int,
    summary: str,
    details: dict[str, Any] | None,
    ip_address: str | None,
) -> dict[str, Any]:
    """An event's fields by attname (the actor by id)."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    user = cast("User | None", actor if actor is not None and actor.is_authenticated else None)
    return {
        "at": timezone.now(),
        "actor_id": user.pk if user is not None else None,
        "actor_label": user.get_username() if user is not None else "anonymous",
        "action": str(action),
        "object_type": object_type,
        "object_id": str(object_id),
        "summary": summary[:300],
        "details": details or {},
        "ip_address": ip_address or current_ip.get(),
        "chain_hash": "",  # chain.extend sets it
    }
