"""Channels: one interface, `send(outgoing) -> SendResult`, for e-mail and SMS alike.

- e-mail: Django's mail (settings.EMAIL_BACKEND is the one-recipient guard, which hands each
  message to HAVEN_EMAIL_INNER_BACKEND: an anymail provider in production, files under var/
  in the demo, locmem in tests);
- SMS: a provider adapter chosen by HAVEN_SMS_CHANNEL: "twilio" (any Twilio-compatible HTTP
  API), "file" (one file per message under var/sms, the demo), "locmem" (tests).

Adding an SMS provider: write a class with `name` and `send(outgoing) -> SendResult` that
raises TemporaryFailure (retried with backoff) or PermanentFailure (marked failed), sends
`outgoing.idempotency_key` so a retry is not a second message, and name it in
HAVEN_SMS_CHANNELS; if it reports delivery, add a webhook view like webhooks.sms_status.
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Outgoing:
    idempotency_key: str
    to: str
    subject: str
    body: str
    language: str
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SendResult:
    provider_id: str = ""
    provider_status: str = "sent"


class TemporaryFailure(Exception):
    """Try again later (the provider is down, busy or rate-limiting)."""


class PermanentFailure(Exception):
    """Trying again cannot help (the number does not exist, the provider refused it)."""


class Channel(Protocol):
    name: str

    def send(self, outgoing: Outgoing) -> SendResult: ...


# -- e-mail ----------------------------------------------------------------------------------
class EmailChannel:
    name = "email"

    def send(self, outgoing: Outgoing) -> SendResult:
        message = EmailMessage(
            subject=outgoing.subject,
            body=outgoing.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[outgoing.to],
            headers=outgoing.headers,
        )
        try:
            message.send(fail_silently=False)
        except (ConnectionError, TimeoutError, OSError) as exc:
            raise TemporaryFailure(type(exc).__name__) from exc
        anymail = getattr(message, "anymail_status", None)
        provider_id = str(getattr(anymail, "message_id", "") or "") if anymail else ""
        return SendResult(provider_id=provider_id or outgoing.headers.get("Message-ID", ""))


# -- SMS -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class HttpResponse:
    status: int
    body: bytes


HttpPost = Callable[[str, dict[str, str], dict[str, str], float], HttpResponse]


def urllib_post(
    url: str, form: dict[str, str], headers: dict[str, str], timeout: float
) -> HttpResponse:
    data = urllib.parse.urlencode(form).encode()
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return HttpResponse(response.status, response.read())
    except urllib.error.HTTPError as exc:
        return HttpResponse(exc.code, exc.read())


class TwilioSmsChannel:
    """Twilio's Messages API, or any provider speaking it (the bench and tests run one on
    loopback). The HTTP client is injectable; the idempotency key goes in Twilio's own header."""

    name = "twilio"

    def __init__(self, *, post: HttpPost | None = None) -> None:
        self.post = post or urllib_post
        self.base_url = settings.HAVEN_TWILIO_BASE_URL.rstrip("/")
        self.account = settings.HAVEN_TWILIO_ACCOUNT_SID
        self.token = settings.HAVEN_TWILIO_AUTH_TOKEN
        self.sender = settings.HAVEN_TWILIO_FROM
        self.status_callback = settings.HAVEN_TWILIO_STATUS_CALLBACK

    def send(self, outgoing: Outgoing) -> SendResult:
        url = f"{self.base_url}/2010-04-01/Accounts/{self.account}/Messages.json"
        form = {"To": outgoing.to, "From": self.sender, "Body": outgoing.body}
        if self.status_callback:
            form["StatusCallback"] = self.status_callback
        basic = base64.b64encode(f"{self.account}:{self.token}".encode()).decode()
        headers = {
            "Authorization": f"Basic {basic}",
            "I-Twilio-Idempotency-Token": outgoing.idempotency_key,
            "Content-Type": "application/x-www-form-urlencoded",
        }
        try:
            response = self.post(url, form, headers, settings.HAVEN_SMS_TIMEOUT_SECONDS)
        except (OSError, TimeoutError) as exc:
            raise TemporaryFailure(f"provider unreachable ({type(exc).__name__})") from exc
        if response.status == 429 or response.status >= 500:
            raise TemporaryFailure(f"provider answered {response.status}")
        try:
            answer = json.loads(response.body or b"{}")
        except ValueError:
            answer = {}
        if response.status >= 400:
            # e.g. 21211 "invalid 'To' number": no retry will make it valid.
            raise PermanentFailure(
                f"provider refused ({response.status}, code {answer.get('code', '?')}): "
                f"{str(answer.get('message', ''))[:150]}"
            )
        return SendResult(
            provider_id=str(answer.get("sid", "")),
            provider_status=str(answer.get("status", "queued")),
        )


class FileSmsChannel:
    """The demo's SMS: one file per message under var/sms, named by its idempotency key (a
    retry overwrites the same file, as a provider would recognise the key)."""

    name = "file"

    def send(self, outgoing: Outgoing) -> SendResult:
        folder = Path(settings.HAVEN_SMS_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{outgoing.idempotency_key}.txt"
        path.write_text(f"To: {outgoing.to}\nLanguage: {outgoing.language}\n\n{outgoing.body}\n")
        return SendResult(provider_id=path.name, provider_status="delivered")


# Tests read what was "sent" here, as Django's locmem mail backend keeps mail.outbox.
sms_outbox: list[Outgoing] = []


class LocmemSmsChannel:
    name = "locmem"

    def send(self, outgoing: Outgoing) -> SendResult:
        if not any(o.idempotency_key == outgoing.idempotency_key for o in sms_outbox):
            sms_outbox.append(outgoing)
        return SendResult(provider_id=f"LM{outgoing.idempotency_key[:8]}", provider_status="sent")


def sms_channel() -> Channel:
    factory = import_string(settings.HAVEN_SMS_CHANNELS[settings.HAVEN_SMS_CHANNEL])
    channel: Channel = factory()
    return channel


def channel_for(kind: str) -> Channel:
    return EmailChannel() if kind == "email" else sms_channel()
