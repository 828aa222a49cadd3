"""The outbox worker: deliver queued messages at least once, never twice.

A worker claims due messages with one conditional UPDATE (status and lease), so two workers
never hold the same message; a worker that dies holding messages loses its lease after
HAVEN_OUTBOX_LEASE_SECONDS and another takes them again. Each send carries the message's
idempotency key, which the provider uses to recognise a retry of a message it already took
(Twilio's I-Twilio-Idempotency-Token, the e-mail's Message-ID, the file channel's file
name): a crash between the provider's answer and our commit costs a repeat request, not a
second message.

Temporary failures are retried with exponential backoff; after HAVEN_OUTBOX_MAX_ATTEMPTS,
or at once on a permanent failure, the message is marked failed and shown on the case.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import uuid
from collections import deque
from dataclasses import dataclass

from django.conf import settings
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from .channels import (
    Channel,
    Outgoing,
    PermanentFailure,
    SendResult,
    TemporaryFailure,
    channel_for,
)
from .models import ChannelKind, DeliveryEvent, Message, OptOut
from .texts import UNSUBSCRIBE_FOOTER, localized
from .tokens import reply_token, unsubscribe_token

logger = logging.getLogger(__name__)


@dataclass
class Delivered:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    cancelled: int = 0

    def __str__(self) -> str:
        return (
            f"sent {self.sent}, to retry {self.retried}, failed {self.failed}, "
            f"not sent (opted out) {self.cancelled}"
        )


class RateLimiter:
    """At most `per_second` sends in any one-second window as the provider counts them.

    The provider sees a request arrive somewhere between our sending it and its answer, so a
    send waits until a second has passed since the *answer* to the send `per_second` before
    it: then no window of the provider's can hold more, however the network delays them (a
    limiter counting from our own send times lets a delayed request bunch up with the next)."""

    def __init__(self, per_second: float) -> None:
        self.limit = max(int(per_second), 1) if per_second else 0
        self.answered: deque[float] = deque()

    def wait(self) -> None:
        if not self.limit:
            return
        if len(self.answered) >= self.limit:
            oldest = self.answered.popleft()
            time.sleep(max(oldest + 1.0 - time.monotonic(), 0))

    def done(self) -> None:
        if self.limit:
            self.answered.append(time.monotonic())


def backoff(attempts: int) -> dt.timedelta:
    base = settings.HAVEN_OUTBOX_RETRY_BASE_SECONDS
    return dt.timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 3600))


def _due(now: dt.datetime) -> Q:
    # status__in first: it is the condition of the partial index comms_message_due, so both
    # databases can walk only the messages still to do, not every message ever sent.
    return Q(status__in=[Message.Status.QUEUED, Message.Status.SENDING], not_before__lte=now) & (
        Q(status=Message.Status.QUEUED) | Q(status=Message.Status.SENDING, lease_until__lt=now)
    )


def claim(*, limit: int, now: dt.datetime | None = None) -> tuple[uuid.UUID, list[Message]]:
    """Take up to `limit` due messages for this worker (committed at once: autocommit)."""
    now = now or timezone.now()
    token = uuid.uuid4()
    ids = list(
        Message.objects.filter(_due(now))
        .order_by("not_before", "id")
        .values_list("id", flat=True)[:limit]
    )
    if not ids:
        return token, []
    lease = now + dt.timedelta(seconds=settings.HAVEN_OUTBOX_LEASE_SECONDS)
    # The condition is evaluated again by the UPDATE: a row another worker took in between
    # no longer matches, so it is not taken twice.
    Message.objects.filter(_due(now), pk__in=ids).update(
        status=Message.Status.SENDING, claim=token, lease_until=lease
    )
    # By id (the claim column has no index): the rows of `ids` this worker now holds.
    return token, list(Message.objects.filter(pk__in=ids, claim=token).order_by("not_before", "id"))


def _email_extras(message: Message) -> tuple[str, dict[str, str]]:
    domain = settings.HAVEN_MAIL_DOMAIN
    token = reply_token(message.request_id) if message.request_id else "haven"
    headers = {"Message-ID": f"<{message.idempotency_key}.{token}@{domain}>"}
    if settings.HAVEN_REPLY_TO_ADDRESS:
        local, _at, host = settings.HAVEN_REPLY_TO_ADDRESS.partition("@")
        headers["Reply-To"] = f"{local}+{token}@{host}"
    link = settings.HAVEN_PUBLIC_URL.rstrip("/") + reverse(
        "communications:unsubscribe",
        args=[unsubscribe_token(ChannelKind.EMAIL, message.recipient_hash)],
    )
    headers["List-Unsubscribe"] = f"<{link}>"
    headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    footer = localized(UNSUBSCRIBE_FOOTER, message.language).format(url=link)
    return f"{message.body}\n\n--\n{footer}\n", headers


def outgoing_for(message: Message) -> Outgoing:
    body: str = message.body
    headers: dict[str, str] = {}
    if message.channel == ChannelKind.EMAIL:
        body, headers = _email_extras(message)
    return Outgoing(
        idempotency_key=str(message.idempotency_key),
        to=message.recipient,
        subject=message.subject,
        body=body,
        language=message.language,
        headers=headers,
    )


def _finish(message: Message, token: uuid.UUID, kind: str, detail: str, **values: object) -> None:
    Message.objects.filter(pk=message.pk, claim=token).update(
        claim=None, lease_until=None, attempts=F("attempts") + 1, **values
    )
    DeliveryEvent.objects.create(message=message, kind=kind, detail=detail[:300])


def _deliver_one(message: Message, token: uuid.UUID, channel: Channel, counts: Delivered) -> None:
    now = timezone.now()
    if OptOut.objects.filter(channel=message.channel, address_hash=message.recipient_hash).exists():
        Message.objects.filter(pk=message.pk, claim=token).update(
            status=Message.Status.CANCELLED, claim=None, lease_until=None
        )
        DeliveryEvent.objects.create(message=message, kind="cancelled", detail="opted out")
        counts.cancelled += 1
        return
    try:
        result: SendResult = channel.send(outgoing_for(message))
    except TemporaryFailure as exc:
        attempts = message.attempts + 1
        if attempts >= settings.HAVEN_OUTBOX_MAX_ATTEMPTS:
            _finish(
                message,
                token,
                "failed",
                f"gave up: {exc}",
                status=Message.Status.FAILED,
                last_error=f"Gave up after {attempts} attempts: {exc}"[:300],
            )
            counts.failed += 1
        else:
            _finish(
                message,
                token,
                "retry",
                str(exc),
                status=Message.Status.QUEUED,
                not_before=now + backoff(attempts),
                last_error=str(exc)[:300],
            )
            counts.retried += 1
        return
    except PermanentFailure as exc:
        _finish(
            message,
            token,
            "failed",
            str(exc),
            status=Message.Status.FAILED,
            last_error=str(exc)[:300],
        )
        counts.failed += 1
        return
    except Exception as exc:  # a bug or a refused e-mail: never retried into a loop
        logger.exception("message %s could not be sent", message.pk)
        _finish(
            message,
            token,
            "failed",
            type(exc).__name__,
            status=Message.Status.FAILED,
            last_error=f"Could not be sent ({type(exc).__name__})",
        )
        counts.failed += 1
        return
    _finish(
        message,
        token,
        "sent",
        result.provider_status,
        status=Message.Status.SENT,
        sent_at=now,
        provider_id=result.provider_id[:100],
        provider_status=result.provider_status[:30],
        last_error="",
    )
    counts.sent += 1


def outbox_deliver(*, limit: int = 500, budget_seconds: float | None = None) -> Delivered:
    """Deliver due messages, `limit` at a time, until none is due or the budget is spent."""
    counts = Delivered()
    started = time.monotonic()
    channels: dict[str, Channel] = {}
    limiters = {
        ChannelKind.SMS: RateLimiter(settings.HAVEN_SMS_RATE_PER_SECOND),
        ChannelKind.EMAIL: RateLimiter(settings.HAVEN_EMAIL_RATE_PER_SECOND),
    }
    while True:
        token, messages = claim(limit=limit)
        if not messages:
            return counts
        for message in messages:
            if message.channel not in channels:
                channels[message.channel] = channel_for(message.channel)
            limiter = limiters[ChannelKind(message.channel)]
            limiter.wait()
            try:
                _deliver_one(message, token, channels[message.channel], counts)
            finally:
                limiter.done()
        if budget_seconds is not None and time.monotonic() - started > budget_seconds:
            return counts


def periodic_outbox() -> str:
    """`haven tick`'s job: what is due now (deferred by quiet hours, retries, missed sends)."""
    return str(outbox_deliver(budget_seconds=50))
