"""Live e-mail intake: poll an IMAP mailbox, read-only, and import what is new.

The mailbox is opened with EXAMINE and messages fetched with BODY.PEEK[], so Haven never
changes it (no \\Seen flag, no move, no delete): the task force's own mail client still shows
every message as it was. Each poll reads the messages whose UID is above the cursor
(MailboxCursor), a chunk at a time, through the same chunked import as `haven import-mail`;
the cursor moves after each chunk commits. A message is therefore imported once: a chunk read
again after a dropped connection or a crash is skipped by its Message-ID, and a mailbox whose
UIDVALIDITY changed (rebuilt by its server) is read from the start with the same guard.

A dropped connection is retried (HAVEN_IMAP_RETRIES times, waiting longer each time) and the
poll resumes after the last committed chunk; a server that keeps failing ends the poll with the
reason recorded on the cursor and the batch, and every message read so far counted.
"""

from __future__ import annotations

import imaplib
import logging
import re
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone

from haven.common import crypto
from haven.intake.models import ImportBatch, MailboxCursor

from .errors import ImportFileError
from .mail import MailItem
from .mailimport import CHUNK_MESSAGES, mail_chunk_import
from .services import Counts, import_batch_create, import_batch_finish, import_batch_update

if TYPE_CHECKING:
    from haven.accounts.models import User

logger = logging.getLogger(__name__)

# What a lost or broken connection raises in imaplib (abort is the server hanging up).
_DROPPED = (imaplib.IMAP4.abort, OSError, EOFError, socket.timeout)


@dataclass(frozen=True)
class ImapAccount:
    host: str
    port: int
    user: str
    password: str
    folder: str = "INBOX"
    ssl: bool = True
    timeout: float = 30.0

    @classmethod
    def from_settings(cls) -> ImapAccount | None:
        """The configured account, or None when IMAP polling is not set up."""
        host = getattr(settings, "HAVEN_IMAP_HOST", "")
        if not host:
            return None
        ssl = bool(getattr(settings, "HAVEN_IMAP_SSL", True))
        return cls(
            host=host,
            port=int(getattr(settings, "HAVEN_IMAP_PORT", 0) or (993 if ssl else 143)),
            user=getattr(settings, "HAVEN_IMAP_USER", ""),
            password=getattr(settings, "HAVEN_IMAP_PASSWORD", ""),
            folder=getattr(settings, "HAVEN_IMAP_FOLDER", "INBOX") or "INBOX",
            ssl=ssl,
            timeout=float(getattr(settings, "HAVEN_IMAP_TIMEOUT_SECONDS", 30)),
        )

    @property
    def key(self) -> str:
        return crypto.keyed_hash("imap_mailbox", f"{self.host}|{self.user}|{self.folder}".lower())

    @property
    def label(self) -> str:
        """How the import list names it: the folder and host, not the account."""
        return f"IMAP {self.folder} on {self.host}"[:255]


class ImapError(ImportFileError):
    """The mailbox could not be read: a message for staff, never a traceback."""


class _Session:
    """One read-only connection to the mailbox."""

    def __init__(self, account: ImapAccount) -> None:
        factory = imaplib.IMAP4_SSL if account.ssl else imaplib.IMAP4
        self.conn = factory(account.host, account.port, timeout=account.timeout)
        try:
            self.conn.login(account.user, account.password)
        except imaplib.IMAP4.abort:
            raise  # the connection dropped: retried, not a refusal
        except imaplib.IMAP4.error as exc:
            raise ImapError("The mail server refused the account's user name or password.") from exc
        typ, _ = self.conn.select(_quoted(account.folder), readonly=True)
        if typ != "OK":
            raise ImapError(f"The mail server has no folder “{account.folder}”.")
        self.uidvalidity = _uidvalidity(self.conn)

    def uids_after(self, last_uid: int) -> list[int]:
        typ, data = self.conn.uid("SEARCH", "UID", f"{last_uid + 1}:*")
        if typ != "OK":
            raise ImapError("The mail server did not answer a search of the folder.")
        found = [int(u) for u in b" ".join(d for d in data if d).split()]
        # "n:*" always includes the highest UID, even below n: only what is really after.
        return sorted(u for u in found if u > last_uid)

    def fetch(self, uids: list[int]) -> list[tuple[int, bytes]]:
        typ, data = self.conn.uid("FETCH", ",".join(map(str, uids)), "(BODY.PEEK[])")
        if typ != "OK":
            raise ImapError("The mail server did not send the messages asked for.")
        messages = []
        for part in data:
            if not isinstance(part, tuple):
                continue  # the closing ")" of each message
            match = re.search(rb"UID (\d+)", part[0])
            if match:
                messages.append((int(match.group(1)), part[1]))
        return sorted(messages)

    def close(self) -> None:
        try:
            self.conn.logout()
        except (*_DROPPED, imaplib.IMAP4.error):
            pass


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _uidvalidity(conn: imaplib.IMAP4) -> int:
    _typ, data = conn.response("UIDVALIDITY")
    values = [d for d in data if d]
    return int(values[-1]) if values else 0


def _cursor_for(account: ImapAccount) -> MailboxCursor:
    cursor, _ = MailboxCursor.objects.get_or_create(mailbox=account.key)
    return cursor


def _chunks_of(uids: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(uids), size):
        yield uids[start : start + size]


def _poll_once(
    account: ImapAccount, cursor: MailboxCursor, batch: ImportBatch, actor: User | None
) -> int:
    """Read what is new since the cursor; returns how many messages were read. The cursor is
    saved after each chunk commits."""
    session = _Session(account)
    try:
        if session.uidvalidity != cursor.uidvalidity:
            # A new or rebuilt mailbox: its UIDs start again; the Message-ID guard skips what
            # was imported under the old ones.
            cursor.uidvalidity, cursor.last_uid = session.uidvalidity, 0
            cursor.save(update_fields=["uidvalidity", "last_uid"])
        uids = session.uids_after(cursor.last_uid)
        import_batch_update(batch=batch, actor=actor, rows_expected=batch.rows + len(uids))
        read = 0
        for chunk in _chunks_of(uids, CHUNK_MESSAGES):
            fetched = session.fetch(chunk)
            items = [MailItem(f"imap:{uid}", raw) for uid, raw in fetched]
            mail_chunk_import(batch=batch, items=items, first_number=batch.rows + 1, actor=actor)
            batch.refresh_from_db(fields=["rows", "imported", "rejected", "skipped"])
            # A UID the server listed but did not send (deleted meanwhile) is passed too.
            cursor.last_uid = chunk[-1]
            cursor.save(update_fields=["last_uid"])
            read += len(items)
        return read
    finally:
        session.close()


def imap_poll(
    *,
    actor: User | None,
    account: ImapAccount | None = None,
    retries: int | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[ImportBatch, Counts]:
    """Poll the configured mailbox once, as one import batch (shown with the other imports).

    ImapError when it is not configured or refuses the account; a connection that keeps
    dropping ends the batch as failed with the reason, keeping what was imported."""
    account = account or ImapAccount.from_settings()
    if account is None:
        raise ImapError("IMAP polling is not set up: set HAVEN_IMAP_HOST (see docs).")
    retries = retries if retries is not None else int(getattr(settings, "HAVEN_IMAP_RETRIES", 3))
    cursor = _cursor_for(account)
    batch = import_batch_create(
        organization=None,
        kind=ImportBatch.Kind.EMAIL,
        file_name=account.label,
        file_sha256="",
        file_size=0,
        actor=actor,
        file_format="imap",
        status=ImportBatch.Status.RUNNING,
    )
    import_batch_update(batch=batch, actor=actor, rows_expected=0, started_at=timezone.now())
    error = ""
    for attempt in range(retries + 1):
        try:
            _poll_once(account, cursor, batch, actor)
            error = ""
            break
        except ImapError as exc:
            error = exc.message
            break  # a refusal will not change by asking again
        except _DROPPED as exc:
            error = f"The connection to the mail server was lost ({type(exc).__name__})."
            logger.warning(
                "IMAP poll, batch %s: connection lost, attempt %s", batch.pk, attempt + 1
            )
            if attempt < retries:
                sleep(min(2.0**attempt, 30.0))
    cursor.polled_at = timezone.now()
    cursor.last_error = error[:300]
    cursor.save(update_fields=["polled_at", "last_error"])
    batch.refresh_from_db()
    if error:
        import_batch_update(
            batch=batch, actor=actor, status=ImportBatch.Status.FAILED, error=error[:300]
        )
    else:
        import_batch_finish(batch=batch, actor=actor, headers=[], mapping=[])
    batch.refresh_from_db()
    return batch, Counts.of(batch)


def imap_poll_periodic() -> str:
    """`haven tick` job: poll the configured mailbox; nothing when none is configured."""
    if ImapAccount.from_settings() is None:
        return "not configured"
    try:
        batch, counts = imap_poll(actor=None)
    except ImapError as exc:
        return f"failed: {exc.message}"
    return f"batch {batch.pk}: {counts.imported} imported, {counts.skipped} skipped" + (
        f", failed: {batch.error}" if batch.status == ImportBatch.Status.FAILED else ""
    )
