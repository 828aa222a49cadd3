"""Merging cases under the second-approver mechanism (haven/accounts/approvals.py): with
`case_merge` in HAVEN_SECOND_APPROVER_FOR, a merge asked for on the merge page waits for a
different supervisor, and runs when approved (refused then if the cases changed meanwhile)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from haven.accounts import approvals, permissions
from haven.accounts.models import User
from haven.accounts.models_approvals import Approval

from .models import Case

ACTION = "case_merge"


def _execute(params: dict[str, Any], requester: User, approver: User, reason: str) -> str:
    from . import services

    source = Case.objects.get(pk=params["source"])
    target = Case.objects.get(pk=params["target"])
    try:
        services.case_merge(
            source=source,
            target=target,
            actor=approver,
            reason=f"{reason} (asked by {requester.get_username()}, "
            f"approved by {approver.get_username()})",
        )
    except ValidationError as refused:
        raise approvals.ApprovalError(" ".join(refused.messages)) from refused
    return f"{source.reference} was merged into {target.reference}."


def register() -> None:
    approvals.register(action=ACTION, may_decide=permissions.can_merge_cases, execute=_execute)


def merge_request(*, source: Case, target: Case, actor: User, reason: str) -> Approval:
    return approvals.approval_request(
        action=ACTION,
        params={"source": source.pk, "target": target.pk},
        label=f"Merge {source.reference} into {target.reference}",
        reason=reason,
        actor=actor,
    )
