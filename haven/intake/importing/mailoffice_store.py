"""Storing an office's list of families (mailoffice): which request is which family.

A list split into families is one requests_create_many entry per family; the message's
envelope (MailMessage) points at the first family's request, as it does for any message,
and each family's request has a MailMessagePart saying which family of the message it is.
"""

from __future__ import annotations

from collections.abc import Sequence

from haven.intake.models import MailMessage, MailMessagePart
from haven.intake.services import CreatedRequest

from .mail import ParsedMail, needs_hand_entry


def first_of_each(made: Sequence[CreatedRequest], sizes: Sequence[int]) -> list[CreatedRequest]:
    """The first request of each message, from the requests of all (`sizes`: how many each)."""
    firsts, at = [], 0
    for size in sizes:
        firsts.append(made[at])
        at += size
    return firsts


def parts_create(
    rows: Sequence[MailMessage], messages: Sequence[ParsedMail], made: Sequence[CreatedRequest]
) -> list[int]:
    """A part for each family of each split message; the ids of the families' requests that
    need data entry (a family whose text left someone unnamed)."""
    parts: list[MailMessagePart] = []
    by_hand: list[int] = []
    at = 0
    for row, message in zip(rows, messages, strict=True):
        if not message.families:
            at += 1
            continue
        for family in message.families:
            request = made[at].request
            at += 1
            parts.append(
                MailMessagePart(
                    message=row,
                    request=request,
                    position=family.position,
                    of=len(message.families),
                    excerpt=family.excerpt,
                    flags=list(family.flags),
                )
            )
            if needs_hand_entry(list(family.flags)):
                by_hand.append(request.pk)
    if parts:
        MailMessagePart.objects.bulk_create(parts)
    return by_hand
