"""Automatic messages: the receipt when a request arrives (intake.signals), and a message
when a request's public status changes (cases.signals)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from django.conf import settings

from haven.intake.models import Request

from .contacts import CHUNK, Contact, request_contacts
from .services import messages_queue
from .texts import STATUS_LABELS, localized

if TYPE_CHECKING:
    from haven.accounts.models import User
    from haven.cases.models import Case


def on_public_status_changed_many(
    sender: Any,
    *,
    changes: list[tuple[Case, Request, str, str]],
    actor: User | None = None,
    **kwargs: Any,
) -> None:
    """Queue one message per request whose new status has a template configured
    (HAVEN_STATUS_MESSAGES), in the transaction that changed it; a household (one case) whose
    requests share a phone gets one message per status, not one per request. Set by set: the
    contacts of every changed request are read together and each purpose's messages written
    in one insert, a fixed number of statements for one case or a bulk referral of 10,000."""
    by_purpose: dict[str, dict[int, tuple[int, str]]] = {}
    for case, request, _old, new in changes:
        purpose = settings.HAVEN_STATUS_MESSAGES.get(new, "")
        if purpose:
            by_purpose.setdefault(purpose, {})[request.pk] = (case.pk, new)
    for purpose, changed in by_purpose.items():
        ids = sorted(changed)
        found = [
            contact
            for start in range(0, len(ids), CHUNK)
            for contact in request_contacts(
                Request.objects.filter(pk__in=ids[start : start + CHUNK])
            )
        ]
        contacts = _one_per_household(found, changed)
        messages_queue(
            purpose=purpose,
            contacts=contacts,
            actor=actor,
            values=lambda c, s=changed: {  # type: ignore[misc]
                "status": localized(
                    STATUS_LABELS.get(s[c.request_id][1], {"en": s[c.request_id][1]}),
                    c.language,
                )
            },
            # Addresses shared within a household were kept once above; two households that
            # give one phone each get theirs, as when their cases change one at a time.
            one_per_address=False,
        )


def _one_per_household(
    contacts: list[Contact], changed: dict[int, tuple[int, str]]
) -> list[Contact]:
    """Each contact on the case whose change it is (a request linked to two cases, before a
    merge, answers for the one that changed), and a second request of one case at an
    address already chosen for it left out: what messages_queue's one_per_address does for
    one case."""
    kept: list[Contact] = []
    seen: set[tuple[int, str, str]] = set()
    for contact in contacts:
        case_id = changed[contact.request_id][0]
        if contact.case_id != case_id:
            contact = replace(contact, case_id=case_id)
        if contact.state == "ok":
            household = (case_id, contact.channel, contact.address_hash)
            if household in seen:
                continue
            seen.add(household)
        kept.append(contact)
    return kept


def on_public_status_changed(
    sender: Any,
    *,
    case: Case,
    changes: list[tuple[Request, str, str]],
    actor: User | None = None,
    **kwargs: Any,
) -> None:
    """One case's changes (a sender that has only those): as the set-based receiver."""
    on_public_status_changed_many(
        sender, changes=[(case, request, old, new) for request, old, new in changes], actor=actor
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
