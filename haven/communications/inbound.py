"""What comes back: provider delivery reports, inbound SMS (STOP and replies), e-mail replies.

Webhooks are signed the Twilio way (X-Twilio-Signature: base64 HMAC-SHA1 of the URL and the
sorted form fields, keyed by the auth token); an unsigned or wrongly signed call is refused
with 403 and changes nothing.
"""

from __future__ import annotations

import base64
import email
import email.policy
import hashlib
import hmac
from collections.abc import Mapping
from email.utils import getaddresses, parseaddr
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from haven.audit.models import AuditAction
from haven.audit.services import audit_record
from haven.intake.models import Identifier, IdentifierKind, Request
from haven.intake.normalize import normalize_identifier

from .contacts import address_hash
from .models import ChannelKind, DeliveryEvent, InboundMessage, Message, OptOut
from .services import optout_record
from .tokens import may_carry_token, request_id_in

if TYPE_CHECKING:
    from haven.intake.importing.mail import MailItem, ParsedMail

STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "توقف", "بس"})
START_WORDS = frozenset({"START", "UNSTOP", "YES"})
# Twilio's MessageStatus values, as our message statuses.
_FINAL = {
    "delivered": Message.Status.DELIVERED,
    "undelivered": Message.Status.FAILED,
    "failed": Message.Status.FAILED,
}


def signature(url: str, params: Mapping[str, str], token: str) -> str:
    payload = url + "".join(f"{key}{params[key]}" for key in sorted(params))
    digest = hmac.new(token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def signature_valid(url: str, params: Mapping[str, str], given: str) -> bool:
    token = settings.HAVEN_TWILIO_AUTH_TOKEN
    if not token or not given:
        return False
    return hmac.compare_digest(signature(url, params, token), given)


@transaction.atomic
def delivery_status_record(*, provider_id: str, status: str, error_code: str = "") -> bool:
    """Record what the provider says became of a message; False for a message not ours."""
    # Lock: reports for one message can arrive together (sent, then delivered).
    # No key of the locked rows changes (no delete, no unique column): FOR NO KEY UPDATE
    # on PostgreSQL, which does not hold up inserts of rows referencing them.
    message = Message.objects.select_for_update(no_key=True).filter(provider_id=provider_id).first()
    if message is None or not provider_id:
        return False
    message.provider_status = status[:30]
    fields = ["provider_status"]
    final = _FINAL.get(status)
    if final is not None and message.status in {Message.Status.SENT, Message.Status.DELIVERED}:
        message.status = final
        fields.append("status")
        if final == Message.Status.FAILED:
            message.last_error = f"The provider could not deliver it (error {error_code or '?'})"
            fields.append("last_error")
    message.save(update_fields=fields)
    detail = status + (f" (error {error_code})" if error_code else "")
    DeliveryEvent.objects.create(message=message, kind="provider", detail=detail[:300])
    return True


def _request_for_sender(sender_hash: str) -> Request | None:
    # First the request we last wrote to at this number, then any request giving it.
    last = (
        Message.objects.filter(channel=ChannelKind.SMS, recipient_hash=sender_hash)
        .exclude(request=None)
        .order_by("-created_at")
        .values_list("request_id", flat=True)
        .first()
    )
    if last is None:
        last = (
            Identifier.objects.filter(kind=IdentifierKind.PHONE, value_hash=sender_hash)
            .order_by("-person_record__request_id")
            .values_list("person_record__request_id", flat=True)
            .first()
        )
    return Request.objects.filter(pk=last).select_related("requester").first() if last else None


@transaction.atomic
def sms_inbound_record(*, sender: str, body: str, external_id: str) -> str:
    """An SMS to our number: STOP opts the number out, START back in; anything else is kept
    as a reply on the request of that number. Returns what was done (for the log)."""
    number = normalize_identifier(IdentifierKind.PHONE, sender).normalized
    sender_hash = address_hash(ChannelKind.SMS, number)
    word = body.strip().upper()
    if word in STOP_WORDS:
        optout_record(channel=ChannelKind.SMS, address_hash=sender_hash, source="sms_stop")
        return "opted out"
    if word in START_WORDS:
        OptOut.objects.filter(channel=ChannelKind.SMS, address_hash=sender_hash).delete()
        return "opted in"
    request = _request_for_sender(sender_hash)
    inbound, created = InboundMessage.objects.get_or_create(
        external_id=f"sms:{external_id}"[:300],
        defaults={
            "channel": ChannelKind.SMS,
            "request": request,
            "requester": request.requester if request else None,
            "sender": number,
            "sender_hash": sender_hash,
            "body": body[:5000],
            "received_at": timezone.now(),
        },
    )
    if created:
        audit_record(
            actor=None,
            action=AuditAction.CREATE,
            obj=inbound,
            summary="SMS reply" + (f" to {request.receipt_number}" if request else " (unknown)"),
        )
    return "attached" if request else "unknown number"


def mail_reply(*, item: MailItem, parsed: ParsedMail) -> bool:
    """intake's e-mail import asks this (mail_reply_handlers, registered in CommunicationsConfig.ready()) before storing a message
    as a new request: a reply to one of ours, carrying a request's token in its thread headers
    or the address it was sent to, is kept on that request instead."""
    if not may_carry_token(item.raw):
        return False  # most of an inbox: not parsed a second time to find that out
    message = email.message_from_bytes(item.raw, policy=email.policy.default)
    threads = " ".join(
        str(message.get(name, ""))
        for name in ("In-Reply-To", "References", "To", "Delivered-To", "X-Original-To")
    )
    request_id = request_id_in(threads)
    request = (
        Request.objects.filter(pk=request_id).select_related("requester").first()
        if request_id
        else None
    )
    if request is None:
        return False
    _name, address = parseaddr(parsed.sender)
    if not address:
        found = getaddresses([str(message.get("From", ""))])
        address = found[0][1] if found else ""
    normalized = normalize_identifier(IdentifierKind.EMAIL, address).normalized
    inbound, created = InboundMessage.objects.get_or_create(
        external_id=f"mail:{parsed.key}"[:300],
        defaults={
            "channel": ChannelKind.EMAIL,
            "request": request,
            "requester": request.requester,
            "sender": normalized,
            "sender_hash": address_hash(ChannelKind.EMAIL, normalized),
            "subject": parsed.subject,
            "body": parsed.data.help_requested[:20000],
            "received_at": parsed.sent_at or timezone.now(),
        },
    )
    if created:
        audit_record(
            actor=None,
            action=AuditAction.CREATE,
            obj=inbound,
            summary=f"E-mail reply to {request.receipt_number}",
        )
    return True
