"""What staff see of a request's original: a message's headers, text and attachments, or a
spreadsheet row with its headers. Everything is rendered as text and escaped by the template."""

from __future__ import annotations

import email
import email.policy
import json
from typing import Any

from haven.intake.flags import request_mail_flags
from haven.intake.models import MailAttachment, MailMessage, MailMessagePart, Request

from .mail import body_text, header_text, raw_bytes
from .mailpolicy import POLICY

_SHOWN_HEADERS = ("From", "To", "Cc", "Date", "Subject", "Message-ID", "Reply-To")


def _mail_envelope(request: Request) -> dict[str, Any]:
    """The message's attachments and flags; for one family of an office's list, which family
    it is and its lines (the message itself is every family's raw input)."""
    part: MailMessagePart | None = getattr(request, "mail_part", None)
    message: MailMessage | None = part.message if part else getattr(request, "mail_message", None)
    return {
        "attachments": MailAttachment.objects.filter(message=message)
        if message
        else MailAttachment.objects.none(),
        "flags": request_mail_flags(request),
        "part": part,
    }


def original_context(request: Request) -> dict[str, Any]:
    is_mail = request.raw_content_type.startswith("message/rfc822")
    context: dict[str, Any] = {"intake_request": request, "is_mail": is_mail}
    if is_mail:
        data = raw_bytes(request.raw_input, request.raw_content_type)
        message = email.message_from_bytes(data, policy=POLICY)
        context.update(
            raw_bytes=data,
            headers=[
                (name, header_text(message, name)) for name in _SHOWN_HEADERS if message[name]
            ],
            body=body_text(message),
            source=data.decode("utf-8", "replace"),
            **_mail_envelope(request),
        )
        return context
    context["raw_bytes"] = request.raw_input.encode("utf-8")
    context["source"] = request.raw_input
    try:
        row = json.loads(request.raw_input)
    except json.JSONDecodeError:
        row = None
    if isinstance(row, dict) and isinstance(row.get("headers"), list):
        cells = [str(c) for c in row.get("cells", [])]
        headers = [str(h) for h in row["headers"]]
        width = max(len(cells), len(headers))
        context["row"] = row
        context["pairs"] = [
            (headers[i] if i < len(headers) else "", cells[i] if i < len(cells) else "")
            for i in range(width)
        ]
    return context
