"""Who may see which reports, on top of haven.accounts.permissions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from haven.accounts import permissions
from haven.accounts.models import Role

if TYPE_CHECKING:
    from haven.accounts.permissions import AnyUser


def _role(user: AnyUser) -> str | None:
    if not user.is_authenticated or not user.is_active:
        return None
    return getattr(user, "role", None)


def can_view_dashboard(user: AnyUser) -> bool:
    """Task-force staff; caseworkers and intake officers see the reduced dashboard."""
    return permissions.can_view_cases(user)


def can_view_full_dashboard(user: AnyUser) -> bool:
    """Supervisors (and administrators): every figure, sitreps and HXL downloads."""
    return permissions.can_read_audit(user)


def can_export_personal_data(user: AnyUser) -> bool:
    """Request or approve an export of case data with names: supervisors only (the issue);
    administrators run the system, they do not take personal data out of it."""
    return _role(user) == Role.SUPERVISOR
