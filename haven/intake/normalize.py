"""Parsing what people write into comparable values, without ever discarding the original.

Each parser returns the parsed value (or None) plus flags describing what went
wrong, so staff see "date of birth not understood" instead of a silent blank.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from dataclasses import dataclass, field

import jdatetime
import phonenumbers
from anyascii import anyascii
from django.conf import settings

from haven.common import crypto

from .models import DatePrecision, IdentifierKind

# Eastern Arabic (Persian) and Arabic-Indic digits, as typed on Dari/Pashto keyboards.
_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
_ARABIC_SCRIPT = re.compile(r"[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]")


def western_digits(text: str) -> str:
    return text.translate(_DIGITS)


def has_arabic_script(text: str) -> bool:
    return bool(_ARABIC_SCRIPT.search(text))


_RECEIPT_BODY = re.compile(r"^HV([0-9A-HJKMNP-TV-Z]{10})$")


def normalize_receipt_number(value: str) -> str:
    """HV-XXXXX-XXXXX from what a person typed (any case, spaces, Persian digits, no dashes,
    O/I/L for 0/1 as people copy receipts by hand); "" when it cannot be a receipt number."""
    compact = crypto.crockford_canonical(western_digits(value))
    match = _RECEIPT_BODY.match(compact)
    if not match:
        return ""
    body = match.group(1)
    return f"HV-{body[:5]}-{body[5:]}"


def search_variants(name: str) -> list[str]:
    """A name as written (case-folded) and, if not plain ASCII, its Latin transliteration."""
    name = " ".join(unicodedata.normalize("NFKC", name or "").split())
    if not name:
        return []
    variants = [name.casefold()]
    if not name.isascii():
        variants.append(anyascii(name).casefold())
    return variants


def search_text(*names: str) -> str:
    """Every variant of every name, in one indexed column that a search can scan."""
    return " | ".join(v for name in names for v in search_variants(name))


@dataclass
class ParsedDate:
    value: dt.date | None
    precision: str
    flags: list[str] = field(default_factory=list)


# Solar Hijri years in living memory; 1300 SH is 1921 CE and 1420 SH is 2041 CE.
_SOLAR_HIJRI_YEARS = range(1290, 1421)
_SEPARATORS = re.compile(r"[./\-\s]+")


def _solar_hijri(year: int, month: int, day: int) -> dt.date | None:
    try:
        gregorian: dt.date = jdatetime.date(year, month, day).togregorian()
        return gregorian
    except ValueError:
        return None


def parse_date_of_birth(text: str, *, today: dt.date | None = None) -> ParsedDate:
    """Understand the forms dates of birth arrive in.

    Year only ("1988"), day-first Gregorian ("12/04/1988", "12.4.1988"), ISO
    ("1988-04-12"), Solar Hijri ("1365/04/12", "1365"), and 1 January, which is
    a de facto birthday and is kept but marked approximate.
    """
    raw = western_digits((text or "").strip())
    today = today or dt.date.today()
    if not raw:
        return ParsedDate(None, DatePrecision.UNKNOWN)
    parts = [p for p in _SEPARATORS.split(raw) if p]
    if not all(p.isdigit() for p in parts) or not 1 <= len(parts) <= 3:
        return ParsedDate(None, DatePrecision.UNKNOWN, ["dob_unparsed"])
    numbers = [int(p) for p in parts]
    if len(numbers) == 1:
        return _year_only(numbers[0], today)
    if len(numbers) == 2:
        return ParsedDate(None, DatePrecision.UNKNOWN, ["dob_unparsed"])
    if len(parts[0]) == 4:
        year, month, day = numbers
    elif len(parts[2]) == 4:
        day, month, year = numbers
        if month > 12 >= day:  # written month-first
            day, month = month, day
    else:
        return ParsedDate(None, DatePrecision.UNKNOWN, ["dob_unparsed"])
    flags: list[str] = []
    if year in _SOLAR_HIJRI_YEARS:
        value = _solar_hijri(year, month, day)
        flags.append("dob_solar_hijri")
    else:
        try:
            value = dt.date(year, month, day)
        except ValueError:
            value = None
    if value is None or not dt.date(1900, 1, 1) <= value <= today:
        return ParsedDate(None, DatePrecision.UNKNOWN, ["dob_unparsed"])
    if value.month == 1 and value.day == 1:
        return ParsedDate(value, DatePrecision.APPROXIMATE, [*flags, "dob_january_first"])
    return ParsedDate(value, DatePrecision.EXACT, flags)


def _year_only(year: int, today: dt.date) -> ParsedDate:
    flags: list[str] = []
    if year in _SOLAR_HIJRI_YEARS:
        # Mid-year of the Solar Hijri year: it straddles two Gregorian years.
        year = jdatetime.date(year, 6, 1).togregorian().year
        flags.append("dob_solar_hijri")
    if not 1900 <= year <= today.year:
        return ParsedDate(None, DatePrecision.UNKNOWN, ["dob_unparsed"])
    return ParsedDate(dt.date(year, 7, 1), DatePrecision.YEAR, flags)


@dataclass
class NormalizedIdentifier:
    kind: str
    as_written: str
    normalized: str
    is_valid: bool


_PASSPORT = re.compile(r"^[A-Z][0-9]{7,8}$")
_SIV = re.compile(r"^KBL[0-9]{4,12}$")


def normalize_identifier(kind: str, value: str) -> NormalizedIdentifier:
    raw = (value or "").strip()
    text = western_digits(unicodedata.normalize("NFKC", raw))
    if kind == IdentifierKind.PHONE:
        return _normalize_phone(raw, text)
    if kind == IdentifierKind.EMAIL:
        email = text.lower()
        valid = bool(re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email))
        return NormalizedIdentifier(kind, raw, email, valid)
    compact = re.sub(r"[\s\-./]", "", text).upper()
    if kind == IdentifierKind.PASSPORT:
        return NormalizedIdentifier(kind, raw, compact, bool(_PASSPORT.match(compact)))
    if kind == IdentifierKind.E_TAZKIRA:
        return NormalizedIdentifier(kind, raw, compact, compact.isdigit() and len(compact) == 13)
    if kind == IdentifierKind.SIV_CASE:
        return NormalizedIdentifier(kind, raw, compact, bool(_SIV.match(compact)))
    if kind == IdentifierKind.PAPER_TAZKIRA:
        # Volume/page/number: keep the three parts, separated by one slash.
        parts = re.findall(r"[0-9]+", text)
        return NormalizedIdentifier(kind, raw, "/".join(parts), len(parts) == 3)
    return NormalizedIdentifier(kind, raw, compact, bool(compact))


def _parse_phone(candidate: str, region: str) -> phonenumbers.PhoneNumber | None:
    try:
        return phonenumbers.parse(candidate, region)
    except phonenumbers.NumberParseException:
        return None


def parses_as_phone(text: str) -> bool:
    """Whether text reads as a possible phone number (with its country code, or in one of
    the task force's regions)."""
    candidate = re.sub(r"[^\d+]", "", western_digits(text))
    if candidate.startswith("00"):
        candidate = "+" + candidate[2:]
    if len(candidate.lstrip("+")) < 6 or re.search(r"[^\d\s+()./-]", text):
        return False
    regions = (settings.HAVEN_DEFAULT_PHONE_REGION, *settings.HAVEN_PHONE_FALLBACK_REGIONS)
    for region in regions:
        number = _parse_phone(candidate, region)
        if number is not None and phonenumbers.is_possible_number(number):
            return True
    return False


def _normalize_phone(raw: str, text: str) -> NormalizedIdentifier:
    candidate = re.sub(r"[^\d+]", "", text)
    if candidate.startswith("00"):
        candidate = "+" + candidate[2:]
    # A number written without a country code is tried as the task force's own country first,
    # then as the neighbours people crossed into (Pakistani mobiles are written 03xx…).
    regions = (settings.HAVEN_DEFAULT_PHONE_REGION, *settings.HAVEN_PHONE_FALLBACK_REGIONS)
    e164, valid = _phone_reading(candidate, regions)
    return NormalizedIdentifier(IdentifierKind.PHONE, raw, e164, valid)


# Parsing a phone number is the costliest step of reading a spreadsheet row, and each is read
# twice (checked for the preview, then stored), and often again for the rest of the family.
@functools.lru_cache(maxsize=4096)
def _phone_reading(candidate: str, regions: tuple[str, ...]) -> tuple[str, bool]:
    """(E.164 or the digits as written, whether the number is valid)."""
    first: phonenumbers.PhoneNumber | None = None
    for region in regions:
        number = _parse_phone(candidate, region)
        if number is None:
            continue
        first = first or number
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), True
        if candidate.startswith("+"):
            break  # the country code is written; other regions cannot change the reading
    if first is None:
        return candidate, False
    return phonenumbers.format_number(first, phonenumbers.PhoneNumberFormat.E164), False


_EMAIL_IN_TEXT = re.compile(r"[^@\s<>(),;]+@[^@\s<>(),;]+\.[^@\s<>(),;]+")


def contact_hash(contact: str) -> str:
    """A requester's contact (an e-mail address, or a phone number) as the keyed hash an
    Identifier of that kind would have; "" when it is neither. The case search finds a
    request by who sent it through this hash alone."""
    text = (contact or "").strip()
    if found := _EMAIL_IN_TEXT.search(text):
        email = normalize_identifier(IdentifierKind.EMAIL, found.group(0))
        if email.is_valid:
            return crypto.keyed_hash(IdentifierKind.EMAIL, email.normalized)
    if parses_as_phone(text):
        phone = normalize_identifier(IdentifierKind.PHONE, text)
        if phone.normalized:
            return crypto.keyed_hash(IdentifierKind.PHONE, phone.normalized)
    return ""
