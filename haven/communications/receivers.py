"""Automatic messages when a request's public status changes (cases.signals)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings

from haven.intake.models import Request

from .contacts import request_contacts
from .services import messages_queue
from .texts import STATUS_LABELS, localized

if TYPE_CHECKING:
    from haven.accounts.models import User
    from haven.cases.models import Case


def on_public_status_changed(
    sender: Any,
    *,
    case: Case,
    changes: list[tuple[Request, str, str]],
    actor: User | None = None,
    **kwargs: Any,
) -> None:
    """Queue one message per request whose new status has a template configured
    (HAVEN_STATUS_MESSAGES), in the transaction that changed it; a household whose requests
    share a phone gets one message per status, not one per request."""
    by_purpose: dict[str, dict[int, str]] = {}
    for request, _old, new in changes:
        purpose = settings.HAVEN_STATUS_MESSAGES.get(new, "")
        if purpose:
            by_purpose.setdefault(purpose, {})[request.pk] = new
    for purpose, statuses in by_purpose.items():
        contacts = request_contacts(Request.objects.filter(pk__in=list(statuses)))
        messages_queue(
            purpose=purpose,
            contacts=contacts,
            actor=actor,
            case=case,
            values=lambda c, s=statuses: {  # type: ignore[misc]
                "status": localized(
                    STATUS_LABELS.get(s[c.request_id], {"en": s[c.request_id]}), c.language
                )
            },
        )
