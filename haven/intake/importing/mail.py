"""Reading e-mail: .eml files, mbox files and Maildir folders, one message at a time.

Applicants were told to write "NAME DATE-OF-BIRTH" in the subject. Beyond that,
messages are free text; lines such as "Father's name: Gul Ahmad" are recognised
with the same header table as spreadsheet columns. Whatever cannot be parsed is
still kept: the message itself is the request's raw input, verbatim.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import email
import email.policy
import hashlib
import html
import mailbox
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage, Message
from email.utils import parseaddr, parsedate_to_datetime
from pathlib import Path

from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy

from haven.intake.models import Channel, Relationship, Requester
from haven.intake.normalize import western_digits
from haven.intake.services import PersonInput, RequesterInput, RequestInput

from . import fields, sniff
from .errors import ImportFileError

BODY_LIMIT = 20_000
_REPLY_PREFIX = re.compile(r"^\s*(?:(?:re|fw|fwd|aw|sv|vs|tr)\s*(?:\[\d+\])?\s*[:：]\s*)+", re.I)
_DATE_TOKEN = re.compile(r"(?<!\d)(\d{1,4}[./\-]\d{1,2}[./\-]\d{1,4}|\d{4})(?!\d)")
_LABELLED_LINE = re.compile(r"^\s*([^:：\n]{2,40})\s*[:：]\s*(.+?)\s*$")
_SEPARATORS = " \t-–—,;:|/()[]"


FLAG_LABELS = {
    "subject_unparsed": gettext_lazy("Subject not in the NAME DATE-OF-BIRTH form"),
    "attachment_type_mismatch": gettext_lazy("An attachment is not what it claims to be"),
    "attachment_executable": gettext_lazy("An attachment is a program"),
    "message_unparsed": gettext_lazy("The message could not be taken apart; read the source"),
}


@dataclass(frozen=True)
class MailItem:
    source: str
    raw: bytes


@dataclass
class Attachment:
    filename: str
    declared_type: str
    detected_type: str
    size: int
    sha256: str
    type_mismatch: bool


@dataclass
class ParsedMail:
    key: str
    message_id: str
    sender: str
    subject: str
    sent_at: dt.datetime | None
    raw_text: str
    raw_content_type: str
    data: RequestInput
    attachments: list[Attachment] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)


def open_mail(path: Path) -> tuple[int, Iterator[MailItem]]:
    """(how many messages, the messages) for an .eml file, an mbox file, a Maildir, or a
    folder of .eml files."""
    if path.is_dir():
        if (path / "cur").is_dir() or (path / "new").is_dir():
            box = mailbox.Maildir(path, factory=None, create=False)
            keys = sorted(box.keys())
            return len(keys), (MailItem(f"maildir:{k}", box.get_bytes(k)) for k in keys)
        files = sorted(p for p in path.rglob("*.eml") if p.is_file())
        return len(files), (MailItem(str(p), p.read_bytes()) for p in files)
    if not path.is_file():
        raise ImportFileError(f"No such file or folder: {path}")
    with path.open("rb") as f:
        head = f.read(5)
    if head == b"From ":
        mbox = mailbox.mbox(path, factory=None, create=False)
        mbox_keys = list(mbox.iterkeys())
        items = (MailItem(f"mbox:{k}", mbox.get_bytes(k)) for k in mbox_keys)
        return len(mbox_keys), items
    return 1, iter([MailItem(str(path), path.read_bytes())])


def message_key(message_id: str, raw: bytes) -> str:
    """The duplicate guard: the Message-ID, or for a message without one, its bytes."""
    basis = message_id.strip().strip("<>").strip().lower()
    if basis:
        return hashlib.sha256(b"id:" + basis.encode("utf-8", "replace")).hexdigest()
    return hashlib.sha256(b"raw:" + raw).hexdigest()


def raw_as_text(raw: bytes) -> tuple[str, str]:
    """The message verbatim as text: as is when it is clean UTF-8 (nearly all mail is 7-bit),
    else base64 of its bytes, said so in the content type, so no byte is ever altered."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = ""
    if text and "\x00" not in text:
        return text, "message/rfc822"
    return base64.b64encode(raw).decode("ascii"), "message/rfc822; encoding=base64"


def raw_bytes(raw_input: str, content_type: str) -> bytes:
    if "encoding=base64" in content_type:
        try:
            return base64.b64decode(raw_input, validate=True)
        except binascii.Error:
            # Not base64 after all: the "[unreadable]" marker of a lost key, shown as it is.
            return raw_input.encode("utf-8")
    return raw_input.encode("utf-8")


def header_text(message: Message, name: str) -> str:
    try:
        value = message.get(name, "")
        return " ".join(str(value).split())
    except Exception:
        # A malformed encoded word: keep the header as the bytes spelled it.
        raw = message.get_all(name, failobj=[""])
        return " ".join(str(raw[0]).split()) if raw else ""


def _sent_at(value: str) -> dt.datetime | None:
    try:
        sent = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if sent.tzinfo is None:
        sent = sent.replace(tzinfo=dt.UTC)
    now = timezone.now()
    if not dt.datetime(2000, 1, 1, tzinfo=dt.UTC) <= sent <= now + dt.timedelta(days=1):
        return None
    return sent


def _part_text(part: Message) -> str:
    try:
        content = part.get_content() if isinstance(part, EmailMessage) else part.get_payload()
    except (LookupError, ValueError, AssertionError):
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    text = content if isinstance(content, str) else ""
    if part.get_content_type() == "text/html":
        text = html.unescape(strip_tags(re.sub(r"(?i)<br\s*/?>|</p>|</div>", "\n", text)))
    return text.replace("\x00", "")


def body_text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    return _part_text(part).strip()[:BODY_LIMIT] if part is not None else ""


def _attachments(message: EmailMessage) -> list[Attachment]:
    found = []
    parts = message.iter_attachments() if message.is_multipart() else iter(())
    for part in parts:
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else part.as_bytes()
        declared = part.get_content_type()
        detected = sniff.sniff_attachment(data) if data else sniff.BINARY
        found.append(
            Attachment(
                filename=(part.get_filename() or "")[:255],
                declared_type=declared[:100],
                detected_type=detected,
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                type_mismatch=not sniff.same_family(declared, detected),
            )
        )
    return found


def parse_subject(subject: str) -> tuple[str, str]:
    """("NAME", "DATE-OF-BIRTH") from a subject written to the convention, else ("", "")."""
    text = western_digits(_REPLY_PREFIX.sub("", subject or ""))
    match = _DATE_TOKEN.search(text)
    if not match:
        return "", ""
    name = " ".join(text[: match.start()].strip(_SEPARATORS).split())
    if not any(ch.isalpha() for ch in name) or len(name.split()) > 8:
        return "", ""
    return name[:300], match.group(1)


def labelled_values(body: str) -> dict[str, list[str]]:
    """Lines such as "Father's name: Gul Ahmad" or "شماره تماس: ۰۷۰۰…", by field."""
    found: dict[str, list[str]] = {}
    for line in body.splitlines()[:200]:
        match = _LABELLED_LINE.match(line)
        if not match:
            continue
        field_name = fields.recognise(match.group(1))
        if field_name and field_name not in (fields.NOTES, fields.IGNORE):
            found.setdefault(field_name, []).append(match.group(2)[:300])
    return found


def _person(subject: str, body: str) -> tuple[PersonInput | None, list[str]]:
    flags = []
    name, dob = parse_subject(subject)
    if not name:
        flags.append("subject_unparsed")
    labelled = labelled_values(body)

    def first(name_: str) -> str:
        return labelled.get(name_, [""])[0]

    identifiers = tuple(
        (kind, value)
        for field_name, kind in fields.IDENTIFIER_FIELDS.items()
        for value in labelled.get(field_name, [])
    )
    full_name = first("full_name") or (name if not first("given_name") else "")
    person = PersonInput(
        relationship=Relationship.PRINCIPAL,
        full_name=full_name,
        given_name=first("given_name")[:150],
        family_name=first("family_name")[:150],
        father_name=first("father_name")[:150],
        date_of_birth=first("date_of_birth") or dob,
        province=first("province")[:100],
        identifiers=identifiers,
    )
    has_any = any((full_name, person.given_name, person.date_of_birth, identifiers))
    return (person if has_any else None), flags


def parse_message(item: MailItem) -> ParsedMail:
    message = email.message_from_bytes(item.raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    message_id = header_text(message, "Message-ID")[:998]
    subject = header_text(message, "Subject")
    sender_name, sender_address = parseaddr(header_text(message, "From"))
    body = body_text(message)
    person, flags = _person(subject, body)
    attachments = _attachments(message)
    if any(a.type_mismatch for a in attachments):
        flags.append("attachment_type_mismatch")
    if any(a.detected_type in sniff.EXECUTABLE_TYPES for a in attachments):
        flags.append("attachment_executable")
    sent_at = _sent_at(header_text(message, "Date"))
    raw_text, content_type = raw_as_text(item.raw)
    current_location = labelled_values(body).get("current_location", [""])[0]
    data = RequestInput(
        channel=Channel.EMAIL,
        people=(person,) if person else (),
        requester=RequesterInput(
            kind=Requester.Kind.APPLICANT,
            name=(sender_name or sender_address)[:200],
            contact=sender_address[:200],
        ),
        help_requested=body,
        current_location=current_location[:200],
    )
    return ParsedMail(
        key=message_key(message_id, item.raw),
        message_id=message_id,
        sender=(f"{sender_name} <{sender_address}>" if sender_name else sender_address)[:300],
        subject=subject[:500],
        sent_at=sent_at,
        raw_text=raw_text,
        raw_content_type=content_type,
        data=data,
        attachments=attachments,
        flags=flags,
    )


def unparsed_message(item: MailItem) -> ParsedMail:
    """A message the parser could not take apart: kept whole, for data entry by hand."""
    raw_text, content_type = raw_as_text(item.raw)
    return ParsedMail(
        key=message_key("", item.raw),
        message_id="",
        sender="",
        subject="",
        sent_at=None,
        raw_text=raw_text,
        raw_content_type=content_type,
        data=RequestInput(channel=Channel.EMAIL, people=()),
        flags=["message_unparsed"],
    )
