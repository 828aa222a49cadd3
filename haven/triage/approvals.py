"""Guidance activation under the second-approver mechanism (haven/accounts/approvals.py)."""

from __future__ import annotations

from typing import Any

from haven.accounts import approvals
from haven.accounts.models import User

from .models import GuidanceVersion
from .permissions import can_manage_guidance

ACTION = "guidance_activate"


def _execute(params: dict[str, Any], requester: User, approver: User, reason: str) -> str:
    from . import services

    version = GuidanceVersion.objects.get(pk=params["version"])
    run = services.guidance_activate(
        version=version,
        actor=approver,
        reason=f"{reason} (asked by {requester.get_username()}, "
        f"approved by {approver.get_username()})",
    )
    return f"{version.label} is active; {run.total} open cases are being re-triaged."


def register() -> None:
    approvals.register(action=ACTION, may_decide=can_manage_guidance, execute=_execute)


def activation_request(*, version: GuidanceVersion, actor: User, reason: str) -> Any:
    return approvals.approval_request(
        action=ACTION,
        params={"version": version.pk},
        label=f"Activate guidance {version.label}",
        reason=reason,
        actor=actor,
    )
