"""The audit trail's hash chain: each event carries an HMAC of the previous event's hash and
its own content, so changing, removing or reordering an event breaks every link after it.

The canonical serialisation of an event (`canonical`) is the JSON array

    [at, actor_id, actor_label, action, object_type, object_id, summary, details, ip_address]

with `at` in UTC as ISO 8601 with microseconds, `details` as stored (JSON, keys sorted),
`ip_address` normalised by Python's ipaddress, no spaces, UTF-8. The link is
HMAC-SHA256(key, previous hash + "\\n" + canonical), hex; the first event's previous hash is
GENESIS. The key is derived from HAVEN_IDENTIFIER_HMAC_KEY, which the database never holds:
someone who can rewrite the table (the owner, a restored dump) cannot forge a chain that
`haven audit verify` accepts. Chain order is id order (ids are drawn under the chain lock).

Cheap by design: one HMAC and two small JSON encodings per event, no query per event; the
head is read once per write (one event or a whole batch).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import ipaddress
import json
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.db import connection

GENESIS = "0" * 64
# pg_advisory_xact_lock key for "I am appending to the audit chain" (any fixed bigint that no
# other lock in Haven uses: these are the ASCII codes of "HAVAUD").
CHAIN_LOCK_KEY = 0x484156415544

# What verify reads of each event.
FIELDS = (
    "id",
    "chain_hash",
    "at",
    "actor_id",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "summary",
    "details",
    "ip_address",
)


@functools.lru_cache(maxsize=4)
def _keyed(secret: str) -> Any:
    # A key of its own (not the identifier HMAC key itself), so a chain hash can never be
    # mistaken for, or used to test guesses against, an identifier's keyed hash. Keyed once:
    # each link copies this HMAC instead of setting the key up again.
    key = hmac.new(secret.encode(), b"haven audit chain v1", hashlib.sha256).digest()
    return hmac.new(key, digestmod=hashlib.sha256)


def _plain_ip(value: str | None) -> str | None:
    return str(ipaddress.ip_address(value)) if value else None


def _utc(value: dt.datetime) -> str:
    if value.tzinfo is not dt.UTC:  # Django gives UTC already: no conversion then
        value = value.astimezone(dt.UTC)
    return value.isoformat(timespec="microseconds")


_PLAIN_VALUES = (str, int, bool, type(None))


def _plain(details: Any) -> bool:
    # The usual details (a flat mapping of text keys to text, numbers, flags) read back from
    # the database exactly as written: no need to go through JSON and back for them.
    return type(details) is dict and all(
        type(k) is str and type(v) in _PLAIN_VALUES for k, v in details.items()
    )


def canonical(event: Mapping[str, Any]) -> bytes:
    """An event's content (a mapping by attname, as written or as read back), as hashed."""
    details = event["details"] or {}
    if not _plain(details):
        # Through JSON and back: what the database returns (string keys, lists for tuples)
        # is what must be hashed at writing too.
        details = json.loads(json.dumps(details))
    return json.dumps(
        [
            _utc(event["at"]),
            event["actor_id"],
            event["actor_label"],
            event["action"],
            event["object_type"],
            event["object_id"],
            event["summary"],
            details,
            _plain_ip(event["ip_address"]),
        ],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    ).encode()


def link(previous: str, event: Mapping[str, Any]) -> str:
    """The chain hash of an event that follows the one whose hash is `previous`."""
    mac = _keyed(settings.IDENTIFIER_HMAC_KEY).copy()
    mac.update(previous.encode() + b"\n" + canonical(event))
    return str(mac.hexdigest())


def head_locked() -> str:
    """The last event's chain hash, holding the chain lock until the transaction ends.

    Concurrent writers must not both link to the same head (the chain would fork and verify
    would fail on the second branch), so on PostgreSQL every writer takes one advisory lock,
    released at commit or rollback, before reading the head: writers append one after the
    other, and the ids they draw afterwards are in chain order. The lock is a transaction's
    (pg_advisory_xact_lock), so a crash or a lost connection can never leave it held. SQLite
    needs none: Haven opens every write transaction IMMEDIATE, so there is only one writer.

    The lock is held from a transaction's first event to its commit, so a service should
    write its events last (intake's batches do): a long transaction that audits early makes
    every other writer of events wait, and one that then takes row locks another waiting
    writer holds would deadlock (PostgreSQL detects it and aborts one of the two).
    """
    if not connection.in_atomic_block:
        raise RuntimeError("the audit chain is appended to inside a transaction only")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A statement of its own: the head is read in a snapshot taken after the lock is
            # held, so it sees what the previous holder committed.
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])
        cursor.execute("SELECT chain_hash FROM audit_auditevent ORDER BY id DESC LIMIT 1")
        row = cursor.fetchone()
    return row[0] if row else GENESIS


def extend(events: Iterable[dict[str, Any]]) -> None:
    """Set chain_hash on new events (mappings by attname), in the order they will get ids."""
    previous = head_locked()
    for event in events:
        previous = event["chain_hash"] = link(previous, event)


def first_broken(events: Iterable[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The first event (in id order) whose chain hash is not what its content and the event
    before it give, or None when the whole chain holds."""
    previous = GENESIS
    for event in events:
        if not hmac.compare_digest(event["chain_hash"], link(previous, event)):
            return event
        previous = event["chain_hash"]
    return None
