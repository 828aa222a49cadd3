"""Log-ins, failed log-ins and log-outs go to the audit trail."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from haven.audit.models import AuditAction
from haven.audit.services import audit_record


@receiver(user_logged_in)
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    # The password step: the session sees nothing until the second factor passes (its own event).
    audit_record(
        actor=user,
        action=AuditAction.LOGIN,
        obj=user,
        summary="Password accepted; second step next",
    )


@receiver(user_logged_out)
def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_record(actor=user, action=AuditAction.LOGOUT, obj=user)


@receiver(user_login_failed)
def _login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    # The user name tried is kept (it may be a typo of a real one); the password never is.
    audit_record(
        actor=None,
        action=AuditAction.LOGIN_FAILED,
        object_type="accounts.user",
        summary=f"Failed log-in as {str(credentials.get('username', ''))[:100]!r}",
    )
