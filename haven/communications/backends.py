"""The e-mail backend guard: every message has exactly one address, in To:, and nothing else.

settings.EMAIL_BACKEND is this class everywhere (demo, production, tests); it checks each
message and hands it to settings.HAVEN_EMAIL_INNER_BACKEND. A message with two addresses, or
any Cc or Bcc, raises before anything is sent: an e-mail to 245 people with every address in
the To: field cannot leave Haven, whichever code tries to send it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage


class RecipientLeak(Exception):
    """A message had more than one recipient, or a Cc/Bcc: it was not sent."""


def check_one_recipient(message: EmailMessage) -> None:
    to = list(message.to or [])
    if len(to) != 1:
        raise RecipientLeak(f"an e-mail must have exactly one To: address (it had {len(to)})")
    if message.cc or message.bcc:
        raise RecipientLeak("an e-mail must have no Cc or Bcc")
    if "," in to[0] or ";" in to[0]:
        raise RecipientLeak("the To: address holds more than one address")
    headers = {k.lower() for k in (message.extra_headers or {})}
    if headers & {"to", "cc", "bcc"}:
        raise RecipientLeak("To, Cc and Bcc cannot be set as extra headers")
    if len(message.recipients()) != 1:
        raise RecipientLeak("an e-mail must go to exactly one recipient")


class OneRecipientEmailBackend(BaseEmailBackend):
    def __init__(self, fail_silently: bool = False, **kwargs: Any) -> None:
        super().__init__(fail_silently=fail_silently)
        self.inner = get_connection(
            settings.HAVEN_EMAIL_INNER_BACKEND, fail_silently=fail_silently, **kwargs
        )

    def open(self) -> bool | None:
        opened: bool | None = self.inner.open()
        return opened

    def close(self) -> None:
        self.inner.close()

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        # Checked all first, so a bad message in a batch stops the batch before any goes.
        for message in email_messages:
            check_one_recipient(message)
        return int(self.inner.send_messages(email_messages) or 0)
