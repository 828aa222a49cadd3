"""Who may do what in triage, on top of haven.accounts.permissions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from haven.accounts import permissions
from haven.accounts.models import Role

if TYPE_CHECKING:
    from haven.accounts.permissions import AnyUser


def can_view_triage(user: AnyUser) -> bool:
    return permissions.can_view_cases(user)


def can_correct_facts(user: AnyUser) -> bool:
    return permissions.can_work_cases(user)


def can_review_guidance(user: AnyUser) -> bool:
    """See guidance versions and preview what a draft would change."""
    return permissions.can_read_audit(user)


def can_manage_guidance(user: AnyUser) -> bool:
    """Activate guidance: supervisors only, as the issue says; not administrators,
    whose job is the system, not policy."""
    return (
        user.is_authenticated and user.is_active and getattr(user, "role", None) == Role.SUPERVISOR
    )
