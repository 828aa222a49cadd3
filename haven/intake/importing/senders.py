"""The sender's address as evidence for matching, unless the sender writes for many families.

An applicant writing again from the same address is the strongest sign two messages are
one family; a sponsor, an office or a volunteer writes for dozens, and their address on
every family would join them all. So each message keeps a keyed hash of its sender and of
its principal's name (loose: vowels and doubled letters dropped, so "Mohammad" and
"Muhammad" are one); an address that has written for SPONSOR_FAMILIES or more different
principals is a requester (a sponsor), never an identifier, and its later messages carry
no address as evidence. Counting is by distinct principals, not messages: a family writing
twenty times is still one family.
"""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from collections.abc import Iterable

from anyascii import anyascii

from haven.common import crypto
from haven.intake.models import IdentifierKind, MailMessage, Relationship, Requester
from haven.intake.services import PersonInput

from .mail import ParsedMail

# From the second different principal on, an address is a requester's, not an identifier.
SPONSOR_FAMILIES = 2
_NOT_SKELETON = re.compile(r"[^bcdfgjklmnpqrstvxz]")


def sender_hash(address: str) -> str:
    return crypto.keyed_hash("mail_sender", address.lower()) if address else ""


def _skeleton(name: str) -> str:
    letters = _NOT_SKELETON.sub("", anyascii(name).lower())
    return re.sub(r"(.)\1+", r"\1", letters)


def family_key(people: Iterable[PersonInput]) -> str:
    """A keyed hash of the principal's name, loosely spelt ("" when the principal is unnamed)."""
    principal = next((p for p in people if p.relationship == Relationship.PRINCIPAL), None)
    if principal is None:
        return ""
    name = principal.full_name or " ".join(
        n for n in (principal.given_name, principal.family_name) if n
    )
    skeleton = _skeleton(name)
    return crypto.keyed_hash("mail_family", skeleton) if skeleton else ""


def message_family_key(message: ParsedMail) -> str:
    """The family a message is about; for an office's list of families, a key of its own,
    unlike any one family's, so the list alone makes its sender a requester."""
    if message.families or any(f.startswith("family_list") for f in message.flags):
        return crypto.keyed_hash("mail_family", f"list:{message.key}")
    return family_key(message.data.people)


def _with_address(message: ParsedMail) -> ParsedMail:
    people = list(message.data.people)
    if not people or people[0].relationship != Relationship.PRINCIPAL:
        return message
    evidence = (IdentifierKind.EMAIL, message.sender_address)
    if evidence in people[0].identifiers:
        return message
    people[0] = dataclasses.replace(people[0], identifiers=(*people[0].identifiers, evidence))
    message.data = dataclasses.replace(message.data, people=tuple(people))
    return message


def _as_sponsor(message: ParsedMail) -> ParsedMail:
    requester = dataclasses.replace(message.data.requester, kind=Requester.Kind.SPONSOR)
    message.data = dataclasses.replace(message.data, requester=requester)
    return message


def senders_decide(messages: list[ParsedMail]) -> list[ParsedMail]:
    """Each message with its sender's address as evidence on its principal, or its sender
    marked a sponsor: one query for the chunk, then in message order."""
    hashes = {sender_hash(m.sender_address) for m in messages if m.sender_address}
    families: dict[str, set[str]] = defaultdict(set)
    for sender, family in (
        MailMessage.objects.filter(sender_hash__in=hashes)
        .exclude(family_key="")
        .values_list("sender_hash", "family_key")
        .distinct()
    ):
        families[sender].add(family)
    decided = []
    for message in messages:
        sender = sender_hash(message.sender_address)
        family = message_family_key(message)
        if not sender:
            decided.append(message)
            continue
        if family:
            families[sender].add(family)
        if message.data.requester.kind == Requester.Kind.SPONSOR:
            decided.append(message)  # a list of families: its sender is their requester
        elif len(families[sender]) >= SPONSOR_FAMILIES:
            decided.append(_as_sponsor(message))
        elif family:
            decided.append(_with_address(message))
        else:
            decided.append(message)
    return decided
