"""E-mail uploaded by staff: the dry run and the import, as background jobs.

The same machinery as `haven import-mail` (mail.parse_message, senders, and
mailimport.mail_chunk_import, which stores a chunk of messages and moves the batch's
counters in the same transaction), fed from an upload (mail_upload_files) instead of a path.

The dry run writes no request: per message it says whom it found, its flags, whether it
will need data entry, whether its Message-ID is in already (or earlier in this upload), and
which request or message it answers. The import accounts for every message: imported
(some of them flagged for data entry), skipped as imported before, or rejected with a reason,
so rows = imported + rejected + skipped = the messages in the upload. Both are idempotent by
Message-ID, and an import that stopped resumes after the messages its committed chunks
counted (the upload's order never changes), so nothing is imported twice.
"""

from __future__ import annotations

import logging
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from haven.audit.models import AuditAction
from haven.audit.services import audit_record
from haven.intake.models import ImportBatch, MailMessage, RejectedRow, Requester
from haven.intake.services import needs_data_entry

from . import sealed_store, senders
from .errors import ImportFileError
from .mail import MailItem, ParsedMail, needs_hand_entry, parse_message, unparsed_message
from .mail_upload_files import Entry, UploadReader
from .mailimport import CHUNK_BYTES, CHUNK_MESSAGES, mail_chunk_import
from .services import import_batch_fail, import_batch_finish, import_batch_update

if TYPE_CHECKING:
    from haven.accounts.models import User

logger = logging.getLogger(__name__)
# Messages the dry run describes one by one; beyond them it counts.
SHOWN_MESSAGES = 300
SHOWN_NAMES = 6
DRY_RUN_CHUNK = 200
# What a message becomes, in the dry run's words (codes; the page gives their labels).
IMPORT, DATA_ENTRY, ALREADY, REPEATED, REJECTED = (
    "import",
    "data_entry",
    "already_imported",
    "repeated",
    "rejected",
)


def _parse(item: MailItem) -> ParsedMail:
    try:
        return parse_message(item)
    except Exception:
        # As the import does: never dropped, kept whole for data entry.
        logger.exception("Message %s could not be parsed", item.source)
        return unparsed_message(item)


def _names(parsed: ParsedMail) -> list[str]:
    names = []
    for person in parsed.data.people:
        name = person.full_name or " ".join(n for n in (person.given_name, person.family_name) if n)
        names.append(name.strip())
    return names


class _DryRun:
    """Counts for every message, details for the first SHOWN_MESSAGES."""

    def __init__(self) -> None:
        self.outcomes: Counter[str] = Counter()
        self.flags: Counter[str] = Counter()
        self.people = 0
        self.thread_joins = 0
        self.sponsors = 0
        self.rows: list[dict[str, Any]] = []
        self.seen: dict[str, int] = {}  # message key -> its number in this upload

    def add(self, row: dict[str, Any]) -> None:
        self.outcomes[row["outcome"]] += 1
        if len(self.rows) < SHOWN_MESSAGES:
            self.rows.append(row)

    def chunk(self, entries: list[tuple[int, Entry]]) -> None:
        parsed: list[tuple[int, Entry, ParsedMail]] = []
        refused: dict[int, dict[str, Any]] = {}
        for number, entry in entries:
            if entry.problem or entry.item is None:
                refused[number] = _rejected_row(number, entry.source, entry.problem, entry.detail)
            elif not entry.item.raw.strip():
                refused[number] = _rejected_row(number, entry.source, "empty", "")
            else:
                parsed.append((number, entry, _parse(entry.item)))
        keys = [p.key for _n, _e, p in parsed]
        references = {key for _n, _e, p in parsed for key in p.references}
        stored = dict(
            MailMessage.objects.filter(message_key__in={*keys, *references}).values_list(
                "message_key", "request__receipt_number"
            )
        )
        fresh = [p for _n, _e, p in parsed if p.key not in stored and p.key not in self.seen]
        kinds = {id(p): p.data.requester.kind for p in fresh}
        senders.senders_decide(fresh)  # reads only: who writes for several families
        by_number = {number: (entry, message) for number, entry, message in parsed}
        for number, _entry in entries:  # in the upload's order, refused ones in their place
            if number in refused:
                self.add(refused[number])
            else:
                self._message(number, *by_number[number], stored, kinds)

    def _message(
        self,
        number: int,
        entry: Entry,
        message: ParsedMail,
        stored: dict[str, str],
        kinds: dict[int, str],
    ) -> None:
        row: dict[str, Any] = {
            "n": number,
            "source": entry.source[:200],
            "subject": message.subject[:200],
            "sender": message.sender[:200],
        }
        if message.key in stored:
            self.add({**row, "outcome": ALREADY, "receipt": stored[message.key]})
            return
        if message.key in self.seen:
            self.add({**row, "outcome": REPEATED, "same_as": self.seen[message.key]})
            return
        self.seen[message.key] = number
        answered = next((k for k in message.references if k in stored or k in self.seen), "")
        names = _names(message)
        self.people += len(names)
        for flag in message.flags:
            self.flags[flag.partition(":")[0]] += 1
        sponsor = (
            id(message) in kinds
            and kinds[id(message)] != Requester.Kind.SPONSOR
            and message.data.requester.kind == Requester.Kind.SPONSOR
        )
        self.sponsors += sponsor
        self.thread_joins += bool(answered)
        by_hand = needs_hand_entry(message.flags) or (
            needs_data_entry(message.data.people) and not (answered and not names)
        )
        self.add(
            {
                **row,
                "outcome": DATA_ENTRY if by_hand else IMPORT,
                "people": [n or "?" for n in names[:SHOWN_NAMES]],
                "people_count": len(names),
                "flags": message.flags,
                "sponsor": sponsor,
                "joins_receipt": stored.get(answered, ""),
                "joins_message": self.seen.get(answered, 0) if answered not in stored else 0,
            }
        )

    def as_dict(self, files: list[dict[str, Any]]) -> dict[str, Any]:
        outcomes = {code: self.outcomes.get(code, 0) for code in OUTCOMES}
        return {
            "messages": sum(outcomes.values()),
            **outcomes,
            "to_import": outcomes[IMPORT] + outcomes[DATA_ENTRY],
            "people": self.people,
            "thread_joins": self.thread_joins,
            "sponsors": self.sponsors,
            "flag_counts": dict(self.flags.most_common()),
            "rows": self.rows,
            "shown": len(self.rows),
            "files": files,
        }


OUTCOMES = (IMPORT, DATA_ENTRY, ALREADY, REPEATED, REJECTED)


def _rejected_row(number: int, source: str, reason: str, detail: str) -> dict[str, Any]:
    return {
        "n": number,
        "source": source[:200],
        "outcome": REJECTED,
        "reason": reason,
        "detail": detail,
    }


def _numbered(entries: Iterable[Entry], start: int = 1) -> Iterator[tuple[int, Entry]]:
    return enumerate(entries, start=start)


def _chunked(entries: Iterator[tuple[int, Entry]], size: int) -> Iterator[list[tuple[int, Entry]]]:
    chunk: list[tuple[int, Entry]] = []
    for entry in entries:
        chunk.append(entry)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def dry_run(
    reader: UploadReader, progress: Callable[[int, float], None] | None = None
) -> dict[str, Any]:
    """What importing the upload would do, message by message; writes nothing."""
    total = reader.count()
    run = _DryRun()
    done = 0
    for chunk in _chunked(_numbered(reader.entries()), DRY_RUN_CHUNK):
        run.chunk(chunk)
        done += len(chunk)
        if progress is not None:
            progress(done, done / max(total, 1))
    files = [{"name": name[:200], "kind": kind} for name, kind, _local in reader.files]
    return run.as_dict(files)


@transaction.atomic
def mail_upload_reject(*, batch: ImportBatch, number: int, entry: Entry) -> None:
    """A member of the upload that is no message (too large, damaged): counted, with why."""
    RejectedRow.objects.create(
        batch=batch,
        row_number=number,
        reason=entry.problem,
        message=entry.detail[:300],
        cells=[entry.source],
    )
    ImportBatch.objects.filter(pk=batch.pk).update(
        rows=F("rows") + 1, rejected=F("rejected") + 1, heartbeat_at=timezone.now()
    )


@transaction.atomic
def mail_upload_queue(*, batch: ImportBatch, actor: User, resume: bool) -> None:
    """Staff start (or resume) the import of an uploaded mailbox: audited, then queued."""
    import_batch_update(batch=batch, actor=actor, status=ImportBatch.Status.QUEUED, error="")
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=batch,
        summary=f"Import {batch.pk} of e-mail {'resumed' if resume else 'started'}",
        details={"messages": batch.rows_expected or 0, "done": batch.rows},
    )


def _import_entries(batch: ImportBatch, entries: Iterator[tuple[int, Entry]]) -> None:
    """Consecutive messages go to mail_chunk_import together; a member that is no message
    ends the chunk and is rejected on its own, so the numbers stay in step."""
    actor = batch.created_by
    chunk: list[MailItem] = []
    first = 0
    size = 0

    def flush() -> None:
        nonlocal chunk, size
        if chunk:
            mail_chunk_import(batch=batch, items=chunk, first_number=first, actor=actor)
        chunk, size = [], 0

    for number, entry in entries:
        if entry.item is None:
            flush()
            mail_upload_reject(batch=batch, number=number, entry=entry)
            continue
        if not chunk:
            first = number
        chunk.append(entry.item)
        size += len(entry.item.raw)
        if len(chunk) >= CHUNK_MESSAGES or size >= CHUNK_BYTES:
            flush()
    flush()


def run_mail_preview(batch_id: int) -> None:
    batch = ImportBatch.objects.select_related("created_by").get(pk=batch_id)

    def progress(messages: int, fraction: float) -> None:
        checked = {"checked": messages, "fraction": round(fraction, 3)}
        ImportBatch.objects.filter(pk=batch_id).update(preview=checked)

    try:
        with sealed_store.opened(batch.stored_path) as packed, tempfile.TemporaryDirectory() as tmp:
            preview = dry_run(UploadReader(packed, Path(tmp)), progress)
    except (ImportFileError, sealed_store.SealedFileError) as exc:
        import_batch_fail(batch=batch, actor=batch.created_by, error=_error_text(exc))
        return
    import_batch_update(
        batch=batch,
        actor=batch.created_by,
        preview=preview,
        rows_expected=preview["messages"],
        status=ImportBatch.Status.PREVIEWED,
    )


def _error_text(exc: Exception) -> str:
    return exc.message if isinstance(exc, ImportFileError) else str(exc)


def run_mail_import(batch_id: int) -> None:
    batch = ImportBatch.objects.select_related("created_by").get(pk=batch_id)
    actor = batch.created_by
    import_batch_update(
        batch=batch,
        actor=actor,
        status=ImportBatch.Status.RUNNING,
        started_at=batch.started_at or timezone.now(),
        error="",
    )
    done = batch.rows  # a resumed import: the messages its committed chunks counted
    try:
        with sealed_store.opened(batch.stored_path) as packed, tempfile.TemporaryDirectory() as tmp:
            entries = _numbered(UploadReader(packed, Path(tmp)).entries())
            _import_entries(batch, (e for e in entries if e[0] > done))
    except (ImportFileError, sealed_store.SealedFileError) as exc:
        import_batch_fail(batch=batch, actor=actor, error=_error_text(exc))
        return
    except BaseException as exc:
        # Said on the page, so staff can resume at once; the upload stays stored.
        batch.refresh_from_db(fields=["rows"])
        error = f"Interrupted after message {batch.rows}: {type(exc).__name__}"
        try:
            import_batch_fail(batch=batch, actor=actor, error=error)
        except Exception:
            logger.exception("Import %s: could not record the interruption", batch.pk)
        raise
    import_batch_finish(batch=batch, actor=actor, headers=[], mapping=[])
    path = batch.stored_path
    import_batch_update(batch=batch, actor=actor, stored_path="")
    transaction.on_commit(lambda: sealed_store.delete(path))
