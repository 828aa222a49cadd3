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
from collections.abc import Callable, Iterable, Mapping
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
from haven.common import bulk

from . import rendering
from .contacts import Contact
from .models import ChannelKind, Message, MessageTemplate, OptOut
from .texts import DEFAULT_LANGUAGE, DEFAULTS

if TYPE_CHECKING:
    from haven.accounts.models import User
    from haven.cases.models import Case

    from .models import Notice

logger = logging.getLogger(__name__)
CHUNK = 5000
_IDEMPOTENCY_FIELD = Message._meta.get_field("idempotency_key")


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
    template = MessageTemplate.objects.select_for_update().filter(
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
    found: set[tuple[str, str]] = set()
    hashes = sorted({h for _c, h in pairs})
    for chunk in _chunked(hashes):
        found.update(
            OptOut.objects.filter(address_hash__in=chunk).values_list("channel", "address_hash")
        )
    return found & pairs


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
    hashes = {c.request_id: c.address_hash for c in usable}
    stopped = opted_out({(c.channel, hashes[c.request_id]) for c in usable})
    keys = {c.request_id: dedupe(c) if dedupe else None for c in usable}
    sent_before = (
        sent_keys
        if sent_keys is not None
        else _existing_dedupe_keys([k for k in keys.values() if k])
    )
    chosen: list[tuple[Contact, str | None]] = []
    seen: set[tuple[str, str]] = set()
    for contact in usable:
        pair = (contact.channel, hashes[contact.request_id])
        key = keys[contact.request_id]
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


def _build(
    contact: Contact,
    texts: Texts,
    values: Mapping[str, rendering.Value],
    *,
    dedupe_key: str | None,
    not_before: dt.datetime,
    actor: User | None,
    case_id: int | None,
    notice: Notice | None,
) -> dict[str, object]:
    """One outbox row as insert_values takes it ({attname: value})."""
    sms = contact.channel == ChannelKind.SMS
    language = texts.language
    body_text = texts.sms_body if sms else texts.body
    return dict(
        idempotency_key=_IDEMPOTENCY_FIELD.get_db_prep_value(uuid.uuid4(), connection),
        dedupe_key=dedupe_key,
        purpose=texts.purpose,
        language=language,
        channel=str(contact.channel),
        recipient=contact.address,
        recipient_hash=contact.address_hash,
        subject=""
        if sms
        else rendering.render(texts.subject, values, purpose=texts.purpose, language=language),
        body=rendering.render(body_text, values, purpose=texts.purpose, sms=sms, language=language),
        request_id=contact.request_id,
        case_id=case_id if case_id is not None else contact.case_id,
        notice_id=notice.pk if notice is not None else None,
        not_before=not_before,
        created_by_id=actor.pk if actor is not None else None,
    )


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
) -> QueueResult:
    """Write one outbox row per usable contact, in the caller's transaction.

    Skips opted-out addresses, contacts without a usable address, what a dedupe key says was
    sent already, and (with one_per_address) a second member of a household at an address
    already written to. Delivery is asked for after commit; `at_once` ignores quiet hours
    (a receipt answers what the requester has just done).
    """
    chosen, result = plan(
        contacts, dedupe=dedupe, sent_keys=sent_keys, one_per_address=one_per_address
    )
    templates = templates_for(purpose)
    texts_by_language: dict[str, Texts] = {}
    link = status_url()
    now = timezone.now()
    not_before = now if at_once else quiet_hours_end(now)
    rows: list[dict[str, object]] = []
    for contact, key in chosen:
        texts = texts_by_language.get(contact.language)
        if texts is None:
            texts = texts_by_language[contact.language] = texts_for(
                purpose, contact.language, templates
            )
        given = dict(values(contact)) if values else {}
        given.setdefault("receipt_number", contact.receipt_number)
        given.setdefault("status_url", link)
        rows.append(
            _build(
                contact,
                texts,
                given,
                dedupe_key=key,
                not_before=not_before,
                actor=actor,
                case_id=case.pk if case is not None else None,
                notice=notice,
            )
        )
    _insert(rows)
    if rows:
        transaction.on_commit(_deliver_soon)
    return result


def _insert(rows: list[dict[str, object]]) -> None:
    """Write the rows without a model instance each (bulk.insert_values: COPY on PostgreSQL),
    which at 100,000 messages costs a fraction of bulk_create. A concurrent run of the same
    notice may have written some dedupe keys since `plan` looked: then the unique key refuses
    the batch and it is written again skipping those (each key is kept once)."""
    try:
        with transaction.atomic():
            bulk.insert_values(Message, rows)
    except IntegrityError:
        Message.objects.bulk_create(
            [Message(**row) for row in rows], batch_size=2000, ignore_conflicts=True
        )


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
