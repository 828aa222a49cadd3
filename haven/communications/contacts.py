"""Reading who to write to, and how: the requester's channel, address and language.

Everything comes from intake: the request's language, the requester's contact (what they gave
as "how to reach me"), and the phone and e-mail identifiers on the principal's person record
(decrypted through the model's own key handling). Order of preference:

1. the requester's contact, when it reads as a valid e-mail address or phone number;
2. for a request that came in by e-mail, the principal's e-mail address;
3. the principal's phone (SMS reaches people without internet), then e-mail.

A channel filter (a notice "by SMS only") keeps only that channel's candidates.

An identifier's address is never decrypted here: its stored token goes into the outbox row as
it is (the same key, so the worker reads it as any other), and its stored keyed hash
(`Identifier.value_hash`, the same hash as `address_hash`) serves opt-outs and
de-duplication. A notice to 100,000 requesters would otherwise decrypt, hash and encrypt
again 100,000 addresses it never looks at.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.db.models import QuerySet

from haven.common import crypto
from haven.intake.models import (
    Channel,
    Identifier,
    IdentifierKind,
    PersonRecord,
    Relationship,
    Request,
)
from haven.intake.normalize import normalize_identifier

from .models import ChannelKind
from .sql import rows_where_in
from .texts import language_of

CHUNK = 5000
_CONTACT_KINDS = frozenset({IdentifierKind.PHONE.value, IdentifierKind.EMAIL.value})


@dataclass(frozen=True)
class Candidate:
    channel: str
    valid: bool
    # Either the normalised address in clear (lower-case e-mail or E.164 phone: what the
    # requester typed as their contact) or, from an identifier, its stored token and hash.
    address: str = ""
    token: str = ""
    hash: str = ""

    def stored(self) -> tuple[str, str]:
        """(token, keyed hash) of the address, encrypting and hashing only a typed one."""
        if self.token:
            return self.token, self.hash
        return crypto.encrypt(self.address), address_hash(self.channel, self.address)


@dataclass(frozen=True)
class Contact:
    request_id: int
    receipt_number: str
    case_id: int | None
    language: str
    # "ok", "invalid" (only unusable addresses were given) or "none" (no address at all)
    state: str
    channel: str = ""
    # The normalised address as stored (a Fernet token under the identifier keys: what the
    # outbox row's `recipient` column holds) and its keyed hash.
    address_token: str = ""
    address_hash: str = ""

    @cached_property
    def address(self) -> str:
        """The address in clear (decrypted on demand: queueing never needs it)."""
        return crypto.decrypt(self.address_token) if self.address_token else ""


def address_hash(channel: str, address: str) -> str:
    # The same keyed hash as intake's identifiers, so an inbound SMS finds its record.
    kind = IdentifierKind.EMAIL if channel == ChannelKind.EMAIL else IdentifierKind.PHONE
    return crypto.keyed_hash(kind, address)


def candidate_from_text(text: str) -> Candidate | None:
    """A contact as a person typed it: an e-mail address if it has an @, else a phone."""
    value = (text or "").strip()
    if not value:
        return None
    if "@" in value:
        parsed = normalize_identifier(IdentifierKind.EMAIL, value)
        return Candidate(ChannelKind.EMAIL, parsed.is_valid, address=parsed.normalized)
    parsed = normalize_identifier(IdentifierKind.PHONE, value)
    return Candidate(ChannelKind.SMS, parsed.is_valid, address=parsed.normalized)


def _ordered(
    requester_contact: Candidate | None,
    identifiers: list[Candidate],
    request_channel: str,
) -> list[Candidate]:
    first_kind = ChannelKind.EMAIL if request_channel == Channel.EMAIL else ChannelKind.SMS
    rest = sorted(identifiers, key=lambda c: 0 if c.channel == first_kind else 1)
    return ([requester_contact] if requester_contact else []) + rest


def choose(candidates: list[Candidate], *, channel: str | None) -> tuple[str, Candidate | None]:
    pool = [c for c in candidates if channel in (None, "", c.channel)]
    if not pool:
        return "none", None
    valid = next((c for c in pool if c.valid and (c.address or c.token)), None)
    return ("ok", valid) if valid else ("invalid", None)


def _identifier_candidates(request_ids: list[int]) -> dict[int, list[Candidate]]:
    # Two look-ups by indexed foreign keys rather than one join: a planner without fresh
    # statistics (just after a big import) turned the join into minutes on PostgreSQL.
    request_of = dict(
        rows_where_in(
            PersonRecord,
            ["id", "request"],
            field="request",
            values=request_ids,
            equal={"relationship": Relationship.PRINCIPAL.value},
        )
    )
    # The kinds are picked here, not in SQL: with `kind IN (phone, email)` SQLite's planner
    # walks the (kind, value_hash) index over every phone and e-mail of the desk for each
    # chunk (a notice to 100,000 read 2,000,000 rows) instead of the person_record index.
    rows = rows_where_in(
        Identifier,
        ["person_record", "kind", "normalized_encrypted", "value_hash", "is_valid"],
        field="person_record",
        values=list(request_of),
    )
    found: dict[int, list[Candidate]] = {}
    for record_id, kind, token, hashed, valid in rows:
        if kind not in _CONTACT_KINDS:
            continue
        channel = ChannelKind.EMAIL if kind == IdentifierKind.EMAIL else ChannelKind.SMS
        # An erased identifier (retention) keeps neither token nor hash: not an address.
        usable = bool(valid and token and hashed)
        found.setdefault(request_of[record_id], []).append(
            Candidate(channel, usable, token=token if usable else "", hash=hashed)
        )
    return found


def _chunks(rows: Iterable[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    chunk: list[tuple[Any, ...]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def request_contacts(requests: QuerySet[Request], *, channel: str | None = None) -> list[Contact]:
    """One Contact per request, in a few queries per 5,000 requests (callers check access)."""
    rows = (
        requests.order_by("id")
        .values_list(
            "id", "receipt_number", "language", "channel", "requester__contact", "case_links__case"
        )
        .iterator(chunk_size=CHUNK)
    )
    contacts: list[Contact] = []
    seen: set[int] = set()
    for chunk in _chunks(rows, CHUNK):
        identifiers = _identifier_candidates([row[0] for row in chunk])
        for request_id, receipt, language, request_channel, contact_text, case_id in chunk:
            if request_id in seen:  # a request linked to two cases (before a merge)
                continue
            seen.add(request_id)
            candidates = _ordered(
                candidate_from_text(contact_text or ""),
                identifiers.get(request_id, []),
                request_channel,
            )
            state, chosen = choose(candidates, channel=channel)
            token, hashed = chosen.stored() if chosen else ("", "")
            contacts.append(
                Contact(
                    request_id=request_id,
                    receipt_number=receipt,
                    case_id=case_id,
                    language=language_of(language),
                    state=state,
                    channel=chosen.channel if chosen else "",
                    address_token=token,
                    address_hash=hashed,
                )
            )
    return contacts
