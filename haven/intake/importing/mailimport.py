"""Writes for e-mail import: each message becomes a request, once per Message-ID.

Like spreadsheet rows, messages commit in chunks (bounded by count and by bytes, as
one message can carry megabytes of attachments), so a crash costs at most one chunk
and running the import again completes it: the unique message key skips what is in.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string

from haven.intake.models import ImportBatch, MailAttachment, MailMessage, RejectedRow
from haven.intake.services import request_create

from .mail import MailItem, ParsedMail, open_mail, parse_message, unparsed_message
from .services import Counts, import_batch_create, import_batch_finish, import_batch_update

if TYPE_CHECKING:
    from haven.accounts.models import User

logger = logging.getLogger(__name__)
CHUNK_MESSAGES = 50
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


def _store(parsed: ParsedMail, batch: ImportBatch, actor: User | None) -> None:
    created = request_create(
        data=parsed.data,
        raw_input=parsed.raw_text,
        raw_content_type=parsed.raw_content_type,
        actor=actor,
        received_at=parsed.sent_at,
    )
    stored = MailMessage.objects.create(
        message_key=parsed.key,
        message_id=parsed.message_id,
        request=created.request,
        batch=batch,
        sender=parsed.sender,
        subject=parsed.subject,
        sent_at=parsed.sent_at,
        flags=parsed.flags,
    )
    MailAttachment.objects.bulk_create(
        MailAttachment(message=stored, position=i, **vars(a))
        for i, a in enumerate(parsed.attachments)
    )


def _reply_handled(item: MailItem, parsed: ParsedMail) -> bool:
    """A reply to a message Haven sent belongs to its request, not in a new one: downstream
    apps (communications) recognise it through settings.HAVEN_MAIL_REPLY_HANDLERS."""
    return any(
        import_string(handler)(item=item, parsed=parsed)
        for handler in getattr(settings, "HAVEN_MAIL_REPLY_HANDLERS", [])
    )


def _parse(item: MailItem) -> ParsedMail:
    try:
        return parse_message(item)
    except Exception:
        # Never dropped: stored whole and marked for data entry.
        logger.exception("Message %s could not be parsed", item.source)
        return unparsed_message(item)


@transaction.atomic
def _mail_chunk(
    *, batch: ImportBatch, items: list[MailItem], first_number: int, actor: User | None
) -> None:
    rejected: list[RejectedRow] = []
    parsed: list[tuple[int, MailItem, ParsedMail]] = []
    for number, item in enumerate(items, start=first_number):
        if not item.raw.strip():
            rejected.append(
                _rejected(batch, number, item, "empty", "Empty message: nothing in it.")
            )
            continue
        parsed.append((number, item, _parse(item)))
    known = set(
        MailMessage.objects.filter(message_key__in=[p.key for _n, _i, p in parsed]).values_list(
            "message_key", flat=True
        )
    )
    imported = skipped = 0
    for number, item, message in parsed:
        if message.key in known:
            skipped += 1
            continue
        known.add(message.key)
        try:
            with transaction.atomic():
                if not _reply_handled(item, message):
                    _store(message, batch, actor)
        except IntegrityError:
            raise  # a concurrent import took this Message-ID: the chunk is retried
        except Exception as exc:
            logger.exception("Import %s message %s could not be stored", batch.pk, item.source)
            rejected.append(
                _rejected(
                    batch,
                    number,
                    item,
                    "store_failed",
                    f"Could not be stored ({type(exc).__name__}).",
                )
            )
            continue
        imported += 1
    RejectedRow.objects.bulk_create(rejected)
    ImportBatch.objects.filter(pk=batch.pk).update(
        rows=F("rows") + len(items),
        imported=F("imported") + imported,
        rejected=F("rejected") + len(rejected),
        skipped=F("skipped") + skipped,
        heartbeat_at=timezone.now(),
    )


def mail_import(
    *,
    path: Path,
    actor: User | None,
    progress: Callable[[ImportBatch, float], None] | None = None,
) -> tuple[ImportBatch, Counts]:
    """Import every message under `path`; a message whose Message-ID is in already is skipped."""
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
    for chunk in _chunks(items):
        for attempt in range(3):
            try:
                _mail_chunk(batch=batch, items=chunk, first_number=done + 1, actor=actor)
                break
            except IntegrityError:
                if attempt == 2:
                    raise
        done += len(chunk)
        if progress is not None:
            batch.refresh_from_db(fields=["rows", "imported", "rejected", "skipped"])
            progress(batch, done / max(total, 1))
    import_batch_finish(batch=batch, actor=actor, headers=[], mapping=[])
    batch.refresh_from_db()
    return batch, Counts.of(batch)
