"""Bulk referrals under the second-approver mechanism (haven/accounts/approvals.py): with
`referral_bulk` in HAVEN_SECOND_APPROVER_FOR, a bulk referral that would send more than
HAVEN_REFERRAL_BULK_APPROVAL_ABOVE referrals waits for a supervisor other than the person who
asked, and is sent when approved: the same cases, re-checked for consent and open referrals
at that moment, in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError

from haven.accounts import approvals, permissions
from haven.accounts.models import Organization, User
from haven.accounts.models_approvals import Approval

from .models import Service

ACTION = "referral_bulk"


def threshold() -> int:
    return int(getattr(settings, "HAVEN_REFERRAL_BULK_APPROVAL_ABOVE", 100))


def approval_required(sendable: int) -> bool:
    return approvals.approval_needed(ACTION) and sendable > threshold()


def _execute(params: dict[str, Any], requester: User, approver: User, reason: str) -> str:
    from .bulk import referrals_send_many

    service = Service.objects.select_related("organization").get(pk=params["service"])
    try:
        done = referrals_send_many(
            case_ids=params["case_ids"],
            organization=service.organization,
            service=service,
            actor=approver,
            reason=f"{reason} (asked by {requester.get_username()}, "
            f"approved by {approver.get_username()})",
            urgency=params["urgency"],
            source=params.get("source", ""),
        )
    except ValidationError as refused:
        raise approvals.ApprovalError(" ".join(refused.messages)) from refused
    return (
        f"Bulk referral {done.pk}: {done.sent} sent, {done.refused_no_consent} refused for "
        f"lack of consent, {done.skipped_open_referral} skipped."
    )


def register() -> None:
    approvals.register(
        action=ACTION,
        may_ask=permissions.can_refer_cases,
        # Four eyes means oversight: a supervisor (or admin) approves.
        may_decide=permissions.can_merge_cases,
        execute=_execute,
    )


def bulk_request(
    *,
    case_ids: Sequence[int],
    organization: Organization,
    service: Service,
    actor: User,
    reason: str,
    urgency: str,
    source: str,
    sendable: int,
) -> Approval:
    return approvals.approval_request(
        action=ACTION,
        # Ids only: what was asked for is what is sent (each case re-checked then).
        params={
            "case_ids": list(dict.fromkeys(case_ids)),
            "service": service.pk,
            "urgency": urgency,
            "source": source[:200],
        },
        label=f"Refer {sendable} case(s) to {organization.name} ({service.name})",
        reason=reason,
        actor=actor,
    )
