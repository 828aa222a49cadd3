"""A small reusable second-approver mechanism for dangerous actions.

An app registers each action it wants guarded, in its AppConfig.ready():

    approvals.register(
        action="guidance_activate",
        may_decide=can_manage_guidance,            # who may approve (and ask)
        execute=lambda params, requester, approver, reason: "...",  # does it; returns a line
        may_ask=can_refer_cases,                    # optional: who may ask, if others
    )

and, where the action is asked for, calls `approval_needed(action)`: when the action is listed
in HAVEN_SECOND_APPROVER_FOR, it calls `approval_request(...)` instead of acting, and a
different person who `may_decide` approves it on the approvals page (or rejects it); approving
runs `execute` there and then. Every step is audited. Without the setting, the action runs at
once (its confirmation and reason are still required and audited by the caller).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from haven.audit.models import AuditAction
from haven.audit.services import audit_record

from .models import User
from .models_approvals import Approval

Execute = Callable[[dict[str, Any], User, User, str], str]


@dataclass(frozen=True)
class GuardedAction:
    action: str
    may_decide: Callable[[Any], bool]
    execute: Execute
    # Who may ask; None: whoever may decide (a caseworker asks for a bulk referral, a
    # supervisor approves it).
    may_ask: Callable[[Any], bool] | None = None


_ACTIONS: dict[str, GuardedAction] = {}


class ApprovalError(Exception):
    pass


def register(
    *,
    action: str,
    may_decide: Callable[[Any], bool],
    execute: Execute,
    may_ask: Callable[[Any], bool] | None = None,
) -> None:
    _ACTIONS[action] = GuardedAction(
        action=action, may_decide=may_decide, execute=execute, may_ask=may_ask
    )


def approval_needed(action: str) -> bool:
    return action in set(getattr(settings, "HAVEN_SECOND_APPROVER_FOR", []))


def _guarded(action: str) -> GuardedAction:
    if action not in _ACTIONS:
        raise ApprovalError(f"No action {action!r} is registered for approval.")
    return _ACTIONS[action]


@transaction.atomic
def approval_request(
    *, action: str, params: dict[str, Any], label: str, reason: str, actor: User
) -> Approval:
    guarded = _guarded(action)
    if not (guarded.may_ask or guarded.may_decide)(actor):
        raise PermissionDenied
    if not reason.strip():
        raise ApprovalError("Give a reason.")
    approval = Approval.objects.create(
        action=action, params=params, label=label[:300], reason=reason[:500], requested_by=actor
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=approval,
        summary=f"Asked for a second approver: {label}"[:300],
        details={"approval": action, "params": params, "reason": reason[:500]},
    )
    return approval


def _decide(approval_id: int, actor: User) -> tuple[Approval, GuardedAction]:
    # Locked so two supervisors approving at once cannot both run the action.
    # No key of the locked rows changes (no delete, no unique column): FOR NO KEY UPDATE
    # on PostgreSQL, which does not hold up inserts of rows referencing them.
    approval = Approval.objects.select_for_update(no_key=True).get(pk=approval_id)
    guarded = _guarded(approval.action)
    if not guarded.may_decide(actor):
        raise PermissionDenied
    if approval.status != Approval.Status.PENDING:
        raise ApprovalError("This was decided already.")
    if approval.requested_by_id == actor.pk:
        raise ApprovalError("A second approver must be someone else.")
    return approval, guarded


@transaction.atomic
def approval_approve(*, approval: Approval, actor: User, note: str = "") -> Approval:
    """Approve and run the action now; a failure of the action is recorded, not raised."""
    locked, guarded = _decide(approval.pk, actor)
    locked.decided_by, locked.decided_at, locked.decision_note = actor, timezone.now(), note[:500]
    try:
        with transaction.atomic():
            locked.result = guarded.execute(
                locked.params, locked.requested_by, actor, locked.reason
            )[:500]
        locked.status = Approval.Status.EXECUTED
    except (PermissionDenied, ApprovalError, ValueError, LookupError) as exc:
        locked.status, locked.result = Approval.Status.FAILED, str(exc)[:500]
    locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "result"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        summary=f"Second approval given: {locked.label}"[:300],
        details={
            "approval": locked.action,
            "requested_by": locked.requested_by.get_username(),
            "changes": {"status": [Approval.Status.PENDING, locked.status]},
            "note": note[:500],
        },
    )
    return locked


@transaction.atomic
def approval_reject(*, approval: Approval, actor: User, note: str = "") -> Approval:
    locked, _guarded_action = _decide(approval.pk, actor)
    locked.status = Approval.Status.REJECTED
    locked.decided_by, locked.decided_at, locked.decision_note = actor, timezone.now(), note[:500]
    locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        summary=f"Rejected: {locked.label}"[:300],
        details={
            "approval": locked.action,
            "changes": {"status": [Approval.Status.PENDING, Approval.Status.REJECTED]},
            "note": note[:500],
        },
    )
    return locked


def pending_for(user: User) -> list[Approval]:
    """What `user` may decide on now (others' requests for actions they may take)."""
    pending = Approval.objects.filter(status=Approval.Status.PENDING).select_related("requested_by")
    return [a for a in pending if a.action in _ACTIONS and _ACTIONS[a.action].may_decide(user)]
