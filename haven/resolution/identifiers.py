"""Identifier keys for matching: the same document read or typed differently gives one key.

Builds on `haven.intake.normalize.normalize_identifier` and adds the confusions
that matter for matching: a passport's letter and digits misread (O/0, I/1),
e-Tazkira with or without dashes, SIV case numbers without their prefix.
Placeholder values ("0", "N/A", a test e-mail) become no key at all.
"""

from __future__ import annotations

import re

import phonenumbers

from haven.intake.models import IdentifierKind
from haven.intake.normalize import normalize_identifier, western_digits

from . import knowledge

# In the digit part of a document number, letters that look like digits are digits.
_AS_DIGIT = str.maketrans({"O": "0", "Q": "0", "D": "0", "I": "1", "L": "1", "Z": "2", "S": "5"})
# In the letter position, digits that look like letters are letters.
_AS_LETTER = str.maketrans({"0": "O", "1": "I"})


def _is_placeholder(field: str, value: str) -> bool:
    text = value.strip()
    return not text or text.upper() in {p.upper() for p in knowledge.placeholders(field)}


def passport_key(value: str) -> str | None:
    """Afghan passports are one letter and 7-8 digits; O/0 and I/1 are read both ways."""
    if _is_placeholder("passport", value):
        return None
    compact = normalize_identifier(IdentifierKind.PASSPORT, value).normalized
    if len(compact) < 5 or set(compact) <= {"0"}:
        return None
    head, tail = compact[0], compact[1:]
    if head.isdigit() and len(compact) == 9:
        head = head.translate(_AS_LETTER)
    return head + tail.translate(_AS_DIGIT)


def tazkira_key(value: str) -> str | None:
    """e-Tazkira (13 digits, 4-4-5 or run together) or paper Tazkira (volume/page/number)."""
    if _is_placeholder("tazkira", value):
        return None
    text = western_digits(value)
    digits = re.sub(r"\D", "", text)
    if len(digits) == 13:
        return "e" + digits
    paper = normalize_identifier(IdentifierKind.PAPER_TAZKIRA, text)
    if paper.is_valid:
        return "p" + paper.normalized
    return ("x" + digits) if len(digits) >= 5 and set(digits) != {"0"} else None


def siv_case_key(value: str) -> str | None:
    compact = normalize_identifier(IdentifierKind.SIV_CASE, value).normalized
    digits = re.sub(r"^KBL", "", compact).translate(_AS_DIGIT)
    return "KBL" + digits if digits.isdigit() and len(digits) >= 4 else None


def phone_key(value: str) -> str | None:
    """E.164. A phone is shared by a household: evidence of the household, not of a person.

    Numbers arrive in Afghan and Pakistani forms, with or without the country code
    and its "+": try the default region, then the neighbours' forms.
    """
    text = western_digits((value or "").strip())
    if not text:
        return None
    digits = re.sub(r"\D", "", text)
    candidates = [text]
    if digits.startswith(_COUNTRY_CODES) and len(digits) in (11, 12):
        candidates.append("+" + digits)
    for candidate in candidates:
        phone = normalize_identifier(IdentifierKind.PHONE, candidate)
        if phone.is_valid:
            return _unless_placeholder(phone.normalized)
    for region in _NEIGHBOUR_REGIONS:
        try:
            number = phonenumbers.parse(digits, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            return _unless_placeholder(e164)
    return None


# Afghanistan, Pakistan, Iran: where Afghan families' numbers are registered.
_COUNTRY_CODES = ("93", "92", "98")
_NEIGHBOUR_REGIONS = ("PK", "IR")


def _unless_placeholder(e164: str) -> str | None:
    if e164 in knowledge.placeholders("phone") or len(set(e164[3:])) <= 1:
        return None
    return e164


def email_key(value: str) -> str | None:
    email = normalize_identifier(IdentifierKind.EMAIL, value)
    if not email.is_valid or email.normalized in knowledge.placeholders("email"):
        return None
    return email.normalized
