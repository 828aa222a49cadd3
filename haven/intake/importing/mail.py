"""Reading e-mail: .eml files, mbox files and Maildir folders, one message at a time.

Applicants were told to write "NAME DATE-OF-BIRTH" in the subject. Beyond that,
messages are free text; lines such as "Father's name: Gul Ahmad" are recognised
with the same header table as spreadsheet columns. Whatever cannot be parsed is
still kept: the message itself is the request's raw input, verbatim.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
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
from django.utils.translation import gettext_lazy, ngettext_lazy

from haven.intake.models import Channel, Request, Requester
from haven.intake.normalize import western_digits
from haven.intake.services import RequesterInput, RequestInput

from . import sniff
from .errors import ImportFileError
from .mailoffice import Family, OfficeList, office_list
from .mailpeople import Reading, read_people
from .mailpolicy import POLICY
from .mailquote import forwarded_content, split_body

BODY_LIMIT = 20_000
_REPLY_PREFIX = re.compile(r"^\s*(?:(?:re|fw|fwd|aw|sv|vs|tr)\s*(?:\[\d+\])?\s*[:：]\s*)+", re.I)
_DATE_TOKEN = re.compile(r"(?<!\d)(\d{1,4}[./\-]\d{1,2}[./\-]\d{1,4}|\d{4})(?!\d)")
_SEPARATORS = " \t-–—,;:|/()[]"


FLAG_LABELS = {
    "subject_unparsed": gettext_lazy("Subject not in the NAME DATE-OF-BIRTH form"),
    "attachment_type_mismatch": gettext_lazy("An attachment is not what it claims to be"),
    "attachment_executable": gettext_lazy("An attachment is a program"),
    "message_unparsed": gettext_lazy("The message could not be taken apart; read the source"),
    "member_without_name": gettext_lazy("Someone in the message is not named"),
    "member_relationship_unknown": gettext_lazy(
        "A numbered family member's relationship is not stated: enter it"
    ),
    "member_numbering_unclear": gettext_lazy(
        "The family members' numbers skip or repeat: someone may be missing"
    ),
    "body_truncated": gettext_lazy("The text is very long: only its beginning was read"),
    "charset_unreadable": gettext_lazy(
        "The text is in an unknown character set: read with replacements"
    ),
    "forwarded_read": gettext_lazy("The people were read from a forwarded message"),
    "family_list": gettext_lazy("A list of families that could not be taken apart: enter each"),
    "family_unread": gettext_lazy("This family's part of the list could not be read"),
    "reply_to_family_list": gettext_lazy(
        "A reply to a list of families: which family it is about is for staff to say"
    ),
}
# Flags with a number: the label names it ("members_unnamed:3").
COUNTED_FLAG_LABELS = {
    "members_unnamed": ngettext_lazy(
        "%(count)s family member mentioned but not named",
        "%(count)s family members mentioned but not named",
        "count",
    ),
    "family_list": gettext_lazy("A list of %(count)s families: split it into one request each"),
    "family_list_split": gettext_lazy("A list of %(count)s families: one request for each"),
    "family_list_too_long": gettext_lazy(
        "A list of %(count)s families: too many to split unseen; import it as a spreadsheet"
        " or enter it by hand"
    ),
    "family_list_too_large": gettext_lazy(
        "A list of %(count)s families in a message too large to copy to each: split it by hand"
    ),
    "members_too_many": gettext_lazy(
        "%(count)s people in one message: a list of families, not one household"
    ),
}
# Flags with two numbers ("family_list_count:12:10").
PAIR_FLAG_LABELS = {
    "family_list_count": gettext_lazy("Office list: %(stated)s families stated, %(found)s found"),
}
# What a person must complete by hand before the request is whole.
DATA_ENTRY_FLAGS = frozenset(
    {
        "members_unnamed",
        "family_list",
        "family_list_count",
        "family_list_too_long",
        "family_list_too_large",
        "family_unread",
        "members_too_many",
        "member_without_name",
        "member_relationship_unknown",
        "member_numbering_unclear",
        "message_unparsed",
    }
)


def mail_flag_label(flag: str) -> str:
    code, _colon, count = flag.partition(":")
    if code in PAIR_FLAG_LABELS:
        stated, _colon, found = count.partition(":")
        return str(PAIR_FLAG_LABELS[code]) % {"stated": stated or "?", "found": found or "?"}
    if code in COUNTED_FLAG_LABELS and (count or code not in FLAG_LABELS):
        # A number (not its digits) picks the plural form: "1 family member", "3 … members".
        return str(COUNTED_FLAG_LABELS[code] % {"count": int(count) if count.isdigit() else "?"})
    return str(FLAG_LABELS.get(code, code.replace("_", " ")))


def needs_hand_entry(flags: list[str]) -> bool:
    return any(flag.partition(":")[0] in DATA_ENTRY_FLAGS for flag in flags)


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
    # The sender's address, lower case ("" when none): evidence, unless a sponsor's.
    sender_address: str = ""
    # Message keys of the messages this one answers (In-Reply-To, then References).
    references: tuple[str, ...] = ()
    # Set on import: the stored request this message answers, found by its references.
    in_reply_to: Request | None = None
    # The request it became, once stored.
    stored_as: Request | None = None
    # An office's list split into one request per family (then `data` is the first's).
    families: tuple[Family, ...] = ()

    def request_inputs(self) -> list[RequestInput]:
        """What each request of the message is made of: one, or one per family of a list."""
        if not self.families:
            return [self.data]
        return [
            dataclasses.replace(
                self.data,
                people=family.people,
                current_location=family.current_location[:200] or self.data.current_location,
            )
            for family in self.families
        ]


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
    starts = _mbox_starts(path)
    if starts:
        return len(starts), _mbox_items(path, starts)
    return 1, iter([MailItem(str(path), path.read_bytes())])


# An mbox separator as mail programs write it: "From sender Mon Aug 16 00:00:00 2021". Only
# such lines split messages, so a body line "From my side …" that nobody escaped does not.
_FROM_LINE = re.compile(
    rb"^From \S*\s+(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun),?\s+)?\w{3}\s+\d{1,2}\s+\d{1,2}:\d{2}"
    rb"(?::\d{2})?\s+(?:\S+\s+)?\d{4}\s*$"
)


def _mbox_starts(path: Path) -> list[int]:
    """Byte offsets of the messages of an mbox; empty when the file is not one (it does not
    start with "From "). The first line is a separator however damaged; after it, only lines
    in the separator's form split messages."""
    with path.open("rb") as f:
        if f.read(5) != b"From ":
            return []
        f.seek(0)
        starts = [0]
        offset = len(f.readline())
        for line in f:
            if line.startswith(b"From ") and _FROM_LINE.match(line.rstrip(b"\r\n")):
                starts.append(offset)
            offset += len(line)
    return starts


def _mbox_items(path: Path, starts: list[int]) -> Iterator[MailItem]:
    with path.open("rb") as f:
        for number, (start, end) in enumerate(zip(starts, [*starts[1:], None], strict=True)):
            f.seek(start)
            chunk = f.read() if end is None else f.read(end - start)
            raw = chunk.partition(b"\n")[2]  # without its separator line
            yield MailItem(f"mbox:{number}", raw.rstrip(b"\r\n") + b"\n" if raw.strip() else b"")


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


def _part_text(part: Message, flags: list[str] | None = None) -> str:
    try:
        content = part.get_content() if isinstance(part, EmailMessage) else part.get_payload()
    except (LookupError, ValueError, AssertionError):
        # An unknown or broken charset: read as UTF-8 with replacements, and said so.
        if flags is not None:
            flags.append("charset_unreadable")
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    text = content if isinstance(content, str) else ""
    if part.get_content_type() == "text/html":
        text = html.unescape(strip_tags(re.sub(r"(?i)<br\s*/?>|</p>|</div>", "\n", text)))
    return text.replace("\x00", "")


def body_text(message: EmailMessage, flags: list[str] | None = None) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    text = _part_text(part, flags).strip()
    if len(text) > BODY_LIMIT and flags is not None:
        flags.append("body_truncated")
    return text[:BODY_LIMIT]


_MESSAGE_IDS = re.compile(r"<[^<>\s]{1,900}>")


def references_of(message: Message) -> tuple[str, ...]:
    """The keys of the messages this one answers: In-Reply-To first, then References newest
    first (a thread's last message is the likeliest to be stored)."""
    ids = _MESSAGE_IDS.findall(header_text(message, "In-Reply-To"))
    ids += reversed(_MESSAGE_IDS.findall(header_text(message, "References")))
    return tuple(dict.fromkeys(message_key(i, b"") for i in ids[:50]))


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


def _reading(subject: str, body: str) -> tuple[Reading, list[str]]:
    """Everyone the message names, from its new text; from the message it forwards when the
    new text names nobody (a sponsor passing an applicant's mail on)."""
    flags: list[str] = []
    name, dob = parse_subject(subject)
    forwarded_subject = bool(re.match(r"^\s*(?:fw|fwd|tr|wg)\s*:", subject or "", re.I))
    parts = split_body(body, forwarded_subject=forwarded_subject)
    reading = read_people(parts.new, subject_name=name, subject_dob=dob)
    if not reading.people and not reading.flags and parts.forwarded:
        inner_subject, inner_body = forwarded_content(parts.forwarded)
        inner_name, inner_dob = parse_subject(inner_subject)
        reading = read_people(
            inner_body, subject_name=inner_name or name, subject_dob=inner_dob or dob
        )
        if reading.people:
            flags.append("forwarded_read")
    if not name and not any(p.full_name or p.given_name for p in reading.people):
        flags.append("subject_unparsed")
    return reading, [*flags, *reading.flags]


def _listed(office: OfficeList) -> tuple[Reading, list[str]]:
    """A list of families as the message's reading: the first family's people when it was
    split (each family gets its own request on storing), nobody when it goes to data entry."""
    first = office.families[0] if office.families else None
    people = list(first.people) if first else []
    return Reading(people=people, current_location=first.current_location if first else ""), [
        *office.flags
    ]


def parse_message(item: MailItem) -> ParsedMail:
    message = email.message_from_bytes(item.raw, policy=POLICY)
    assert isinstance(message, EmailMessage)
    message_id = header_text(message, "Message-ID")[:998]
    subject = header_text(message, "Subject")
    sender_name, sender_address = parseaddr(header_text(message, "From"))
    flags: list[str] = []
    body = body_text(message, flags)
    office = office_list(subject, body, raw_size=len(item.raw))
    reading, reading_flags = _reading(subject, body) if office is None else _listed(office)
    flags += reading_flags
    attachments = _attachments(message)
    if any(a.type_mismatch for a in attachments):
        flags.append("attachment_type_mismatch")
    if any(a.detected_type in sniff.EXECUTABLE_TYPES for a in attachments):
        flags.append("attachment_executable")
    sent_at = _sent_at(header_text(message, "Date"))
    raw_text, content_type = raw_as_text(item.raw)
    current_location = reading.current_location
    data = RequestInput(
        channel=Channel.EMAIL,
        people=tuple(reading.people),
        requester=RequesterInput(
            # Who sends a list of families writes for them: a requester, never one of them.
            kind=Requester.Kind.APPLICANT if office is None else Requester.Kind.SPONSOR,
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
        flags=list(dict.fromkeys(flags)),
        sender_address=sender_address.strip().lower()[:254],
        references=references_of(message),
        families=office.families if office is not None else (),
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
