"""Writes of communications: queue messages (the outbox), templates, opt-outs.

A message row is written in the caller's transaction (the status change, the caseworker's
request, the notice): it exists exactly when the change that caused it does. Delivery happens
later, in the outbox worker (outbox.py), never inside a request.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from haven.accounts import permissions
from haven.audit.models import AuditAction
from haven.audit.services import audit_record

from . import rendering
from .contacts import Contact
from .models import ChannelKind, Message, MessageTemplate, OptOut
from .sql import MESSAGE_COLUMNS, messages_insert, rows_where_in
from .texts import DEFAULT_LANGUAGE, DEFAULTS

if TYPE_CHECKING:
    from haven.accounts.models import User
    from haven.cases.models import Case

    from .models import Notice

logger = logging.getLogger(__name__)
CHUNK = 5000


# -- templates -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Texts:
    purpose: str
    language: str  # the language of the texts (English when the wanted one is missing)
    wanted: str
    subject: str
    body: str
    sms_body: str

    @property
    def fell_back(self) -> bool:
        return self.language != self.wanted


_TEXT_FIELDS = ("purpose", "language", "subject", "body", "sms_body")


def templates_for(purpose: str) -> dict[str, MessageTemplate]:
    # Only the texts: this runs inside every status change, and reads nothing else.
    found = MessageTemplate.objects.filter(purpose=purpose).only(*_TEXT_FIELDS)
    return {t.language: t for t in found}


def texts_for(
    purpose: str, language: str, templates: Mapping[str, MessageTemplate] | None = None
) -> Texts:
    """The purpose's texts in a language; English when that language has none."""
    found = templates if templates is not None else templates_for(purpose)
    template = found.get(language) or found.get(DEFAULT_LANGUAGE)
    if template is not None:
        return Texts(
            purpose,
            template.language,
            language,
            template.subject,
            template.body,
            template.sms_body,
        )
    # A desk whose templates were deleted still says something true: the shipped English.
    subject, body, sms_body = DEFAULTS[purpose][DEFAULT_LANGUAGE]
    return Texts(purpose, DEFAULT_LANGUAGE, language, subject, body, sms_body)


def notice_key(purpose: str) -> str:
    """A digest of every text of the purpose: the same texts are the same notice."""
    digest = hashlib.sha256(purpose.encode())
    for template in (
        MessageTemplate.objects.filter(purpose=purpose).only(*_TEXT_FIELDS).order_by("language")
    ):
        for part in (template.language, template.subject, template.body, template.sms_body):
            digest.update(b"\0" + part.encode())
    return digest.hexdigest()


@transaction.atomic
def template_save(
    *, purpose: str, language: str, subject: str, body: str, sms_body: str, actor: User
) -> MessageTemplate:
    if not permissions.can_merge_cases(actor):  # oversight roles edit what goes out
        raise PermissionDenied
    for text in (subject, body, sms_body):
        rendering.check(text, purpose=purpose)
    # Lock the row: two editors saving at once must not both read version N and write N+1.
    # No key of the locked rows changes (no delete, no unique column): FOR NO KEY UPDATE
    # on PostgreSQL, which does not hold up inserts of rows referencing them.
    template = MessageTemplate.objects.select_for_update(no_key=True).filter(
        purpose=purpose, language=language
    ).first() or MessageTemplate(purpose=purpose, language=language, version=0)
    template.subject, template.body, template.sms_body = subject, body, sms_body
    template.version += 1
    template.updated_by = actor
    template.save()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=template,
        summary=f"Message template {purpose} ({language})",
        details={"version": template.version},
    )
    return template


# -- quiet hours -----------------------------------------------------------------------------
def _quiet_window() -> tuple[dt.time, dt.time] | None:
    text = (settings.HAVEN_MESSAGE_QUIET_HOURS or "").strip()
    if not text:
        return None
    start, end = (dt.time.fromisoformat(part.strip()) for part in text.split("-"))
    return start, end


def quiet_hours_end(now: dt.datetime) -> dt.datetime:
    """`now`, or the end of the quiet hours (local time) when now falls inside them."""
    window = _quiet_window()
    if window is None:
        return now
    start, end = window
    local = now.astimezone(ZoneInfo(settings.TIME_ZONE))
    moment = local.time()
    inside = start <= moment or moment < end if start > end else start <= moment < end
    if not inside:
        return now
    day = local.date() if moment < end else local.date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, end, tzinfo=local.tzinfo)


# -- queueing --------------------------------------------------------------------------------
def status_url() -> str:
    return settings.HAVEN_PUBLIC_URL.rstrip("/") + reverse("public:status")


@dataclass
class QueueResult:
    queued: int = 0
    excluded_opted_out: int = 0
    excluded_no_contact: int = 0
    excluded_invalid: int = 0
    already_sent: int = 0
    # Members of a household sharing one phone or address: one message, not one each.
    shared_address: int = 0
    by_channel: dict[str, int] = field(default_factory=dict)
    messages: list[Message] = field(default_factory=list)
    # (request id, channel, address hash) of every row written: a notice's audit manifest.
    written: list[tuple[int, str, str]] = field(default_factory=list)

    def summary(self) -> dict[str, int]:
        """The four figures `haven notify --json` prints (invalid counts as no contact)."""
        return {
            "queued": self.queued,
            "excluded_opted_out": self.excluded_opted_out,
            "excluded_no_contact": self.excluded_no_contact + self.excluded_invalid,
            "already_sent": self.already_sent,
        }


def _chunked(items: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def opted_out(pairs: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which of these (channel, address hash) pairs opted out, one query per 5,000."""
    found: set[tuple[str, str]] = set()
    for channel in sorted({c for c, _h in pairs}):
        hashes = sorted({h for c, h in pairs if c == channel})
        # By channel too: the unique (channel, address_hash) index serves the look-up only
        # with its first column given (without it SQLite reads the whole table each chunk).
        for chunk in _chunked(hashes):
            found.update(
                (channel, h)
                for (h,) in rows_where_in(
                    OptOut,
                    ["address_hash"],
                    field="address_hash",
                    values=chunk,
                    equal={"channel": channel},
                )
            )
    return found


def _existing_dedupe_keys(keys: list[str]) -> set[str]:
    found: set[str] = set()
    for chunk in _chunked(keys):
        found.update(
            k
            for k in Message.objects.filter(dedupe_key__in=chunk).values_list(
                "dedupe_key", flat=True
            )
            if k
        )
    return found


def plan(
    contacts: Iterable[Contact],
    *,
    dedupe: Callable[[Contact], str] | None = None,
    sent_keys: set[str] | None = None,
    one_per_address: bool = True,
) -> tuple[list[tuple[Contact, str | None]], QueueResult]:
    """Who would get a message, and who not and why: what a preview shows and queueing does.

    `sent_keys`, when the caller knows them (a notice reads its own at once), saves looking
    each dedupe key up. Without `one_per_address`, members of a household at one address each
    get theirs (receipts: each request has its own number)."""
    result = QueueResult()
    usable: list[Contact] = []
    for contact in contacts:
        if contact.state == "none":
            result.excluded_no_contact += 1
        elif contact.state == "invalid":
            result.excluded_invalid += 1
        else:
            usable.append(contact)
    pairs = [(c.channel, c.address_hash) for c in usable]
    stopped = opted_out(set(pairs))
    keys: list[str | None] = [dedupe(c) for c in usable] if dedupe else [None] * len(usable)
    sent_before = (
        sent_keys if sent_keys is not None else _existing_dedupe_keys([k for k in keys if k])
    )
    chosen: list[tuple[Contact, str | None]] = []
    seen: set[tuple[str, str]] = set()
    for contact, pair, key in zip(usable, pairs, keys, strict=True):
        if pair in stopped:
            result.excluded_opted_out += 1
        elif key is not None and key in sent_before:
            result.already_sent += 1
        elif one_per_address and pair in seen:
            result.shared_address += 1
        else:
            seen.add(pair)
            chosen.append((contact, key))
            result.by_channel[contact.channel] = result.by_channel.get(contact.channel, 0) + 1
    result.queued = len(chosen)
    return chosen, result


@dataclass(frozen=True)
class _Batch:
    """What every row of one queueing shares, prepared once as the database takes it."""

    purpose: str
    values: Callable[[Contact], Mapping[str, rendering.Value]] | None
    link: str
    case_id: int | None
    notice_id: int | None
    actor_id: int | None
    not_before: object
    now: object
    native_uuid: bool


def _rows(
    chosen: list[tuple[Contact, str | None]], batch: _Batch, texts: Callable[[str], Texts]
) -> list[tuple[object, ...]]:
    """The outbox rows, in MESSAGE_COLUMNS order, values as the database takes them.

    Straight to tuples rather than model instances (see sql.messages_insert). The subject and
    body are prepared through their EncryptedTextField, so stored encrypted (empty stored
    empty); the recipient is the contact's stored token, already encrypted under the same keys
    (decrypting it to have the field encrypt it again would cost two Fernet operations a row)."""
    subject_field = Message._meta.get_field("subject")
    body_field = Message._meta.get_field("body")
    rows: list[tuple[object, ...]] = []
    for contact, key in chosen:
        found = texts(contact.language)
        language = found.language
        given = dict(batch.values(contact)) if batch.values else {}
        given.setdefault("receipt_number", contact.receipt_number)
        given.setdefault("status_url", batch.link)
        sms = contact.channel == ChannelKind.SMS
        subject = (
            ""
            if sms
            else rendering.render(found.subject, given, purpose=batch.purpose, language=language)
        )
        body = rendering.render(
            found.sms_body if sms else found.body,
            given,
            purpose=batch.purpose,
            sms=sms,
            language=language,
        )
        new_key = uuid.uuid4()
        rows.append(
            (
                new_key if batch.native_uuid else new_key.hex,
                key,
                batch.purpose,
                language,
                str(contact.channel),
                contact.address_token,
                contact.address_hash,
                subject_field.get_db_prep_value(subject, connection, prepared=False),
                body_field.get_db_prep_value(body, connection, prepared=False),
                contact.request_id,
                batch.case_id if batch.case_id is not None else contact.case_id,
                batch.notice_id,
                Message.Status.QUEUED.value,
                batch.not_before,
                0,
                "",
                "",
                "",
                batch.actor_id,
                batch.now,
            )
        )
    return rows


def messages_queue(
    *,
    purpose: str,
    contacts: Iterable[Contact],
    actor: User | None,
    values: Callable[[Contact], Mapping[str, rendering.Value]] | None = None,
    dedupe: Callable[[Contact], str] | None = None,
    case: Case | None = None,
    notice: Notice | None = None,
    sent_keys: set[str] | None = None,
    one_per_address: bool = True,
    at_once: bool = False,
    planned: tuple[list[tuple[Contact, str | None]], QueueResult] | None = None,
) -> QueueResult:
    """Write one outbox row per usable contact, in the caller's transaction.

    Skips opted-out addresses, contacts without a usable address, what a dedupe key says was
    sent already, and (with one_per_address) a second member of a household at an address
    already written to. Delivery is asked for after commit; `at_once` ignores quiet hours
    (a receipt answers what the requester has just done). `planned` is what `plan` gave for
    these contacts in this transaction (a notice plans once, to decide on approval).
    """
    chosen, result = planned or plan(
        contacts, dedupe=dedupe, sent_keys=sent_keys, one_per_address=one_per_address
    )
    templates = templates_for(purpose)
    by_language: dict[str, Texts] = {}

    def texts(language: str) -> Texts:
        if language not in by_language:
            by_language[language] = texts_for(purpose, language, templates)
        return by_language[language]

    now = timezone.now()
    adapt = connection.ops.adapt_datetimefield_value
    batch = _Batch(
        purpose=purpose,
        values=values,
        link=status_url(),
        case_id=case.pk if case is not None else None,
        notice_id=notice.pk if notice is not None else None,
        actor_id=actor.pk if actor is not None else None,
        not_before=adapt(now if at_once else quiet_hours_end(now)),
        now=adapt(now),
        native_uuid=connection.features.has_native_uuid_field,
    )
    # Rendered, encrypted and written CHUNK rows at a time: a notice to 100,000 holds one
    # chunk of tokens in memory, not all of them, in the one transaction of the caller.
    with _page_cache_for(len(chosen)):
        for start in range(0, len(chosen), CHUNK):
            _queue_chunk(chosen[start : start + CHUNK], batch, texts, result)
    if result.queued:
        transaction.on_commit(_deliver_soon)
    return result


def _queue_chunk(
    part: list[tuple[Contact, str | None]],
    batch: _Batch,
    texts: Callable[[str], Texts],
    result: QueueResult,
) -> None:
    taken = _insert(_rows(part, batch, texts), part)
    for contact, _key in taken:  # queued meanwhile by a concurrent run of this notice
        result.queued -= 1
        result.already_sent += 1
        result.by_channel[contact.channel] -= 1
    left_out = {id(contact) for contact, _key in taken}
    result.written += [
        (c.request_id, str(c.channel), c.address_hash) for c, _k in part if id(c) not in left_out
    ]


# SQLite's page cache while a large batch is written: 64 MiB instead of the default 2 MiB.
# The outbox has ten indexes, three of them on random keys (idempotency key, dedupe key,
# address hash); with 2 MiB their pages are evicted and spilled to the WAL again and again
# (bench, 100,000 rows: 3.4 s of system time of 6.9 s CPU; with 64 MiB, 0.6 of 3.9 s).
_SQLITE_BULK_CACHE_KIB = 65536


@contextmanager
def _page_cache_for(rows: int) -> Iterator[None]:
    if connection.vendor != "sqlite" or rows <= CHUNK:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (before,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = -{_SQLITE_BULK_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


_DEDUPE_COLUMN = MESSAGE_COLUMNS.index("dedupe_key")


def _insert(
    rows: list[tuple[object, ...]], chosen: list[tuple[Contact, str | None]]
) -> list[tuple[Contact, str | None]]:
    """Write the rows (sql.messages_insert: one statement); returns the contacts left out because their dedupe key was taken meanwhile.

    A concurrent run of the same notice may have written some dedupe keys since `plan`
    looked (on PostgreSQL the second waits for the first to commit, then its batch is
    refused): then those keys are read again and the batch written without them."""
    left_out: list[tuple[Contact, str | None]] = []
    for _attempt in range(3):
        try:
            with transaction.atomic():
                messages_insert(rows)
            return left_out
        except IntegrityError:
            keys = [str(row[_DEDUPE_COLUMN]) for row in rows if row[_DEDUPE_COLUMN]]
            if not keys:
                raise  # not a dedupe key: a real error
            taken = _existing_dedupe_keys(keys)
            if not taken:
                raise  # not a dedupe key: a real error
            keep = [row[_DEDUPE_COLUMN] not in taken for row in rows]
            left_out += [c for c, kept in zip(chosen, keep, strict=True) if not kept]
            rows = [row for row, kept in zip(rows, keep, strict=True) if kept]
            chosen = [c for c, kept in zip(chosen, keep, strict=True) if kept]
    raise IntegrityError("the outbox refused the same messages three times")


def _deliver_soon() -> None:
    from .tasks import outbox_deliver_task

    try:
        outbox_deliver_task.enqueue()
    except Exception:  # the periodic job delivers anyway; a queue hiccup must not fail a page
        logger.exception("could not queue outbox delivery")


# -- opt-outs --------------------------------------------------------------------------------
@transaction.atomic
def optout_record(*, channel: str, address_hash: str, source: str) -> bool:
    """Stop writing to an address; True when it was not opted out before. Messages still in
    the outbox for it are cancelled by the worker, which checks again before each send."""
    _optout, created = OptOut.objects.get_or_create(
        channel=channel, address_hash=address_hash, defaults={"source": source}
    )
    if created:
        audit_record(
            actor=None,
            action=AuditAction.CREATE,
            object_type="communications.optout",
            object_id=_optout.pk,
            summary=f"Opt-out ({channel}, {source})",
        )
    return created


# -- documents needed ------------------------------------------------------------------------
@transaction.atomic
def documents_request(
    *, case: Case, actor: User, documents: list[str], other: str = ""
) -> QueueResult:
    """A caseworker asks the household for documents: one message per requester of the
    case (one per shared address), in each requester's language."""
    from haven.intake.models import Request

    from .contacts import request_contacts
    from .texts import DOCUMENT_LABELS, localized

    if not permissions.can_work_cases(actor):
        raise PermissionDenied
    contacts = request_contacts(Request.objects.filter(case_links__case=case))

    def values(contact: Contact) -> dict[str, rendering.Value]:
        items = [localized(DOCUMENT_LABELS[code], contact.language) for code in documents]
        if other.strip():
            items.append(other.strip())
        return {"documents": items}

    result = messages_queue(
        purpose="documents_needed", contacts=contacts, actor=actor, values=values, case=case
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=case,
        summary=f"Documents asked for on {case.reference}",
        details={"documents": documents, "queued": result.queued},
    )
    return result
