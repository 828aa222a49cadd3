"""Writes for e-mail import: each message becomes a request, once per Message-ID.

Like spreadsheet rows, messages commit in chunks (bounded by count and by bytes, as
one message can carry megabytes of attachments), so a crash costs at most one chunk
and running the import again completes it: the unique message key skips what is in.
"""

from __future__ import annotations

import logging
import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import django
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from haven.common import bulk
from haven.common.registry import Registry
from haven.intake.models import (
    ImportBatch,
    MailAttachment,
    MailMessage,
    MailMessagePart,
    RejectedRow,
    Request,
)
from haven.intake.services import NewRequest, requests_create_many

from . import mailoffice_store, senders
from .mail import (
    MailItem,
    ParsedMail,
    needs_hand_entry,
    open_mail,
    parse_message,
    unparsed_message,
)
from .services import Counts, import_batch_create, import_batch_finish, import_batch_update

if TYPE_CHECKING:
    from haven.accounts.models import User

logger = logging.getLogger(__name__)
# Messages per transaction: one requests_create_many each (matching and cases included).
CHUNK_MESSAGES = 200
CHUNK_BYTES = 32 * 1024 * 1024


def _chunks(items: Iterable[MailItem]) -> Iterator[list[MailItem]]:
    chunk: list[MailItem] = []
    size = 0
    for item in items:
        chunk.append(item)
        size += len(item.raw)
        if len(chunk) >= CHUNK_MESSAGES or size >= CHUNK_BYTES:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def _rejected(
    batch: ImportBatch, number: int, item: MailItem, reason: str, message: str
) -> RejectedRow:
    return RejectedRow(
        batch=batch, row_number=number, reason=reason, message=message[:300], cells=[item.source]
    )


def _mail_row(parsed: ParsedMail, request: Request, batch: ImportBatch) -> MailMessage:
    return MailMessage(
        message_key=parsed.key,
        message_id=parsed.message_id,
        request=request,
        batch=batch,
        sender=parsed.sender,
        subject=parsed.subject,
        sent_at=parsed.sent_at,
        flags=parsed.flags,
        sender_hash=senders.sender_hash(parsed.sender_address),
        family_key=senders.message_family_key(parsed),
    )


def _store_many(
    messages: list[ParsedMail], batch: ImportBatch, actor: User | None
) -> list[MailMessage]:
    """Store messages as requests in one requests_create_many: a fixed number of statements
    for the chunk, matching and cases included."""
    # An office's list of families is one request per family, each with the whole message.
    inputs = [m.request_inputs() for m in messages]
    made = requests_create_many(
        entries=[
            NewRequest(
                data=data,
                raw_input=m.raw_text,
                raw_content_type=m.raw_content_type,
                received_at=m.sent_at,
                audit_details={"import_batch": batch.pk},
                in_reply_to=m.in_reply_to,
            )
            for m, datas in zip(messages, inputs, strict=True)
            for data in datas
        ],
        actor=actor,
    )
    created = mailoffice_store.first_of_each(made, [len(datas) for datas in inputs])
    for message, first in zip(messages, created, strict=True):
        message.stored_as = first.request
    rows = [_mail_row(m, c.request, batch) for m, c in zip(messages, created, strict=True)]
    bulk.create_instances(rows)
    bulk.create_instances(
        [
            MailAttachment(message=row, position=i, **vars(a))
            for row, m in zip(rows, messages, strict=True)
            for i, a in enumerate(m.attachments)
        ]
    )
    # What the text leaves for a person (unnamed children, a list of families) goes to data
    # entry though someone was named.
    by_hand = [
        c.request.pk for c, m in zip(created, messages, strict=True) if needs_hand_entry(m.flags)
    ]
    by_hand += mailoffice_store.parts_create(rows, messages, made)
    if by_hand:
        Request.objects.filter(pk__in=by_hand).update(needs_data_entry=True)
    return rows


# Chunks parsed ahead of the one being stored: enough to keep the parser busy, few enough
# that memory stays bounded (each is at most CHUNK_BYTES of messages).
PARSE_AHEAD = 2
# Below this many messages the worker's start (a second Django, about a second) is not won back.
PARSE_AHEAD_FROM = 4 * CHUNK_MESSAGES


def _parsed_chunks(
    chunks: Iterator[list[MailItem]], parse_ahead: bool
) -> Iterator[tuple[list[MailItem], list[ParsedMail | None]]]:
    """Each chunk with its messages parsed, in order. With parse_ahead, parsing (about a
    third of the import's time, and needing no database) runs in one worker process, so on
    two cores it overlaps with storing, matching and triage here; started with "spawn", as
    a forked child would share this process's database connection."""
    if not parse_ahead:
        for chunk in chunks:
            yield chunk, _parse_all(chunk)
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context, initializer=django.setup) as pool:
        waiting: deque[tuple[list[MailItem], Future[list[ParsedMail | None]]]] = deque()
        for chunk in chunks:
            waiting.append((chunk, pool.submit(_parse_all, chunk)))
            if len(waiting) > PARSE_AHEAD:
                items, future = waiting.popleft()
                yield items, future.result()
        while waiting:
            items, future = waiting.popleft()
            yield items, future.result()


class MailReplyHandler(Protocol):
    def __call__(self, *, item: MailItem, parsed: ParsedMail) -> bool: ...


# Who recognises a reply to a message Haven sent (communications fills it in its apps.py).
mail_reply_handlers: Registry[MailReplyHandler] = Registry("readers of replies to Haven's mail")


def _reply_handled(item: MailItem, parsed: ParsedMail) -> bool:
    """A reply to a message Haven sent belongs to its request, not in a new one: later apps
    (communications) recognise it through `mail_reply_handlers`."""
    return any(handler(item=item, parsed=parsed) for handler in mail_reply_handlers.values())


def _parse(item: MailItem) -> ParsedMail:
    try:
        return parse_message(item)
    except Exception:
        # Never dropped: stored whole and marked for data entry.
        logger.exception("Message %s could not be parsed", item.source)
        return unparsed_message(item)


def _parse_all(items: list[MailItem]) -> list[ParsedMail | None]:
    """Each message parsed, None for an empty one (also run in a worker process: see
    _parsed_chunks)."""
    return [_parse(item) if item.raw.strip() else None for item in items]


def _fresh(
    batch: ImportBatch,
    items: list[MailItem],
    parsed_items: list[ParsedMail | None],
    first_number: int,
) -> tuple[list[tuple[int, MailItem, ParsedMail]], list[RejectedRow], int]:
    """The chunk parsed: (messages not imported before, rejected rows, how many skipped)."""
    rejected: list[RejectedRow] = []
    parsed: list[tuple[int, MailItem, ParsedMail]] = []
    for number, (item, message) in enumerate(
        zip(items, parsed_items, strict=True), start=first_number
    ):
        if message is None:
            rejected.append(
                _rejected(batch, number, item, "empty", "Empty message: nothing in it.")
            )
            continue
        parsed.append((number, item, message))
    known = set(
        MailMessage.objects.filter(message_key__in=[p.key for _n, _i, p in parsed]).values_list(
            "message_key", flat=True
        )
    )
    fresh = []
    skipped = 0
    for entry in parsed:
        if entry[2].key in known:
            skipped += 1  # imported before, or twice in this mailbox
            continue
        known.add(entry[2].key)
        fresh.append(entry)
    return fresh, rejected, skipped


def _store_each(
    batch: ImportBatch, messages: list[tuple[int, MailItem, ParsedMail]], actor: User | None
) -> tuple[int, list[RejectedRow]]:
    """One message at a time, each in its savepoint: after the chunk as a whole failed, the
    messages that can be stored are, and the one that cannot is rejected with its reason."""
    imported, rejected = 0, []
    for number, item, message in messages:
        try:
            with transaction.atomic():
                _store_many([message], batch, actor)
        except IntegrityError:
            raise  # a concurrent import took this Message-ID: the chunk is retried
        except Exception as exc:
            logger.exception("Import %s message %s could not be stored", batch.pk, item.source)
            reason = f"Could not be stored ({type(exc).__name__})."
            rejected.append(_rejected(batch, number, item, "store_failed", reason))
            continue
        imported += 1
    return imported, rejected


def _thread_rounds(
    messages: list[tuple[int, MailItem, ParsedMail]],
) -> Iterator[list[tuple[int, MailItem, ParsedMail]]]:
    """The chunk in rounds, each stored before the next: a reply to a message of the same
    chunk waits for it, so it can name its request. Replies to stored messages are told
    their request at once (one query for the chunk)."""
    references = {key for _n, _i, m in messages for key in m.references}
    stored = dict(
        MailMessage.objects.filter(message_key__in=references).values_list(
            "message_key", "request_id"
        )
    )
    # A reply to an office's list of families: which family it is about is not assumed.
    lists = {m.key for _n, _i, m in messages if m.families}
    if stored:
        lists |= set(
            MailMessagePart.objects.filter(message__message_key__in=stored).values_list(
                "message__message_key", flat=True
            )
        )
    in_chunk = {m.key: m for _n, _i, m in messages}
    waiting: list[tuple[int, MailItem, ParsedMail, ParsedMail | None]] = []
    for number, item, message in messages:
        answered = next((k for k in message.references if k in stored or k in in_chunk), None)
        if answered in lists:
            message.flags.append("reply_to_family_list")
            answered = None
        if answered in stored:
            message.in_reply_to = Request(pk=stored[answered])
        waiting.append((number, item, message, in_chunk.get(answered) if answered else None))
    while waiting:
        ready = [w for w in waiting if w[3] is None or w[3].stored_as is not None]
        if not ready:  # a loop of replies (forged headers): stored without a thread
            ready = waiting
        for _n, _i, message, parent in ready:
            if parent is not None and parent.stored_as is not None:
                message.in_reply_to = parent.stored_as
        yield [(n, i, m) for n, i, m, _p in ready]
        waiting = [w for w in waiting if w not in ready]


@transaction.atomic
def _mail_chunk(
    *,
    batch: ImportBatch,
    items: list[MailItem],
    parsed: list[ParsedMail | None],
    first_number: int,
    actor: User | None,
) -> None:
    fresh, rejected, skipped = _fresh(batch, items, parsed, first_number)
    replies = {id(m) for _n, item, m in fresh if _reply_handled(item, m)}
    new = [entry for entry in fresh if id(entry[2]) not in replies]
    senders.senders_decide([m for _n, _i, m in new])
    imported = len(replies)
    for round_ in _thread_rounds(new):
        try:
            with transaction.atomic():
                _store_many([m for _n, _i, m in round_], batch, actor)
            imported += len(round_)
        except IntegrityError:
            raise
        except Exception:
            logger.exception("Import %s: a chunk failed; storing it message by message", batch.pk)
            done, failed = _store_each(batch, round_, actor)
            imported += done
            rejected += failed
    RejectedRow.objects.bulk_create(rejected)
    ImportBatch.objects.filter(pk=batch.pk).update(
        rows=F("rows") + len(items),
        imported=F("imported") + imported,
        rejected=F("rejected") + len(rejected),
        skipped=F("skipped") + skipped,
        heartbeat_at=timezone.now(),
    )


def mail_chunk_import(
    *,
    batch: ImportBatch,
    items: list[MailItem],
    first_number: int,
    actor: User | None,
    parsed: list[ParsedMail | None] | None = None,
) -> None:
    """Store one chunk of messages in `batch` (every message counted: imported, rejected or
    skipped as already in); `parsed`, when given, is _parse_all(items) done already. Two
    imports storing the same message at once: the loser's chunk fails on the Message-ID
    guard and is read again, finding it in."""
    if parsed is None:
        parsed = _parse_all(items)
    for attempt in range(3):
        try:
            # Parsed again on a retry: storing sets fields (in_reply_to, stored_as) on them.
            chunk = parsed if attempt == 0 else _parse_all(items)
            _mail_chunk(
                batch=batch, items=items, parsed=chunk, first_number=first_number, actor=actor
            )
            return
        except IntegrityError:
            if attempt == 2:
                raise


def mail_import(
    *,
    path: Path,
    actor: User | None,
    progress: Callable[[ImportBatch, float], None] | None = None,
    parse_ahead: bool = False,
) -> tuple[ImportBatch, Counts]:
    """Import every message under `path`; a message whose Message-ID is in already is skipped.
    With parse_ahead, a second process parses the next chunks while this one stores (see
    _parsed_chunks)."""
    total, items = open_mail(path)
    batch = import_batch_create(
        organization=None,
        kind=ImportBatch.Kind.EMAIL,
        file_name=path.name or str(path),
        file_sha256="",
        file_size=0,
        actor=actor,
        file_format="maildir" if path.is_dir() else "mbox/eml",
        status=ImportBatch.Status.RUNNING,
    )
    import_batch_update(batch=batch, actor=actor, rows_expected=total, started_at=timezone.now())
    done = 0
    ahead = parse_ahead and total >= PARSE_AHEAD_FROM
    for chunk, parsed in _parsed_chunks(_chunks(items), ahead):
        mail_chunk_import(
            batch=batch, items=chunk, parsed=parsed, first_number=done + 1, actor=actor
        )
        done += len(chunk)
        if progress is not None:
            batch.refresh_from_db(fields=["rows", "imported", "rejected", "skipped"])
            progress(batch, done / max(total, 1))
    import_batch_finish(batch=batch, actor=actor, headers=[], mapping=[])
    batch.refresh_from_db()
    return batch, Counts.of(batch)
