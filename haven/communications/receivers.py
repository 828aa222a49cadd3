"""Automatic messages: the receipt when a request arrives (intake.signals), and a message
when a request's public status changes (cases.signals)."""

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


def on_requests_received(
    sender: Any, *, requests: list[Request], actor: User | None = None, **kwargs: Any
) -> None:
    """Queue each new request's receipt (template "receipt": its number and the status page),
    in the requester's language on the channel they gave, in the transaction that stored the
    requests; opted-out addresses get none. Channels in HAVEN_RECEIPT_MESSAGE_CHANNELS only
    (a partner's spreadsheet lists people who did not write to us themselves)."""
    channels = set(settings.HAVEN_RECEIPT_MESSAGE_CHANNELS)
    ids = [r.pk for r in requests if r.channel in channels]
    if not ids:
        return
    messages_queue(
        purpose="receipt",
        contacts=request_contacts(Request.objects.filter(pk__in=ids)),
        actor=actor,
        # One receipt per request, ever, whoever sends the signal again.
        dedupe=lambda c: f"receipt:{c.request_id}",
        # Each request has its own number: a household sharing a phone gets each one.
        one_per_address=False,
        at_once=True,
    )
