"""What a column can mean, and recognising it from its header in English or Dari.

Known headers live in headers.csv beside this file, a data table a task force can
extend without touching code. A header not in the table is tried against a few
keyword rules; a column still unrecognised becomes a note, so its content stays
visible to staff instead of vanishing (they can set it to "do not import").
"""

from __future__ import annotations

import csv
import functools
import re
import unicodedata
from collections.abc import Mapping, Sequence
from pathlib import Path

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from haven.intake.models import IdentifierKind
from haven.intake.normalize import western_digits

NOTES = "notes"
IGNORE = "ignore"

FIELDS: dict[str, Promise] = {
    "full_name": _("Full name"),
    "given_name": _("Given name"),
    "family_name": _("Family or tribal name"),
    "father_name": _("Father's name"),
    "sex": _("Sex"),
    "date_of_birth": _("Date of birth"),
    "province": _("Province of origin"),
    "relationship": _("Relationship to principal"),
    "passport": _("Passport number"),
    "e_tazkira": _("e-Tazkira number"),
    "paper_tazkira": _("Paper Tazkira"),
    "siv_case": _("SIV case number"),
    "unhcr": _("UNHCR number"),
    "phone": _("Phone"),
    "email": _("E-mail"),
    "current_country": _("Country where they are now"),
    "current_location": _("Town or place now"),
    "help_requested": _("What help is asked"),
    "household": _("Household (family ID, case number): rows with the same value are one family"),
    # Eligibility answers, read through the value table in fact_values.csv (facts_columns.py).
    "fact_category": _("Eligibility: category or programme (SIV, P-1, P-2 …)"),
    "fact_employer_type": _("Eligibility: employer"),
    "fact_employment_months": _("Eligibility: months of employment"),
    "fact_siv_stage": _("Eligibility: SIV stage"),
    "fact_referral_source": _("Eligibility: referred by"),
    "fact_vulnerabilities": _("Eligibility: vulnerabilities"),
    "fact_has_recommendation_letter": _("Eligibility: has a recommendation letter"),
    NOTES: _("Note (kept with its column name)"),
    IGNORE: _("Do not import"),
}
IDENTIFIER_FIELDS: dict[str, str] = {
    "passport": IdentifierKind.PASSPORT,
    "e_tazkira": IdentifierKind.E_TAZKIRA,
    "paper_tazkira": IdentifierKind.PAPER_TAZKIRA,
    "siv_case": IdentifierKind.SIV_CASE,
    "unhcr": IdentifierKind.UNHCR,
    "phone": IdentifierKind.PHONE,
    "email": IdentifierKind.EMAIL,
}
# Fields a row can hold several of; any other field taken twice sends the second column to notes.
MULTI_FIELDS = frozenset({*IDENTIFIER_FIELDS, "help_requested", NOTES, IGNORE})
NAME_FIELDS = ("full_name", "given_name", "family_name", "father_name")

# When a header is not in the table: (pattern, field), first match wins, so the more
# specific come first ("place of birth" before "birth", "father name" before "name").
_KEYWORD_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), field)
    for pattern, field in (
        (r"place of birth|محل تولد", "province"),
        (r"household|\bhh\b|family (id|no|number|code)|خانواده", "household"),
        (r"siv (stage|status)|مرحله", "fact_siv_stage"),
        (r"employer|کارفرما", "fact_employer_type"),
        (r"\bmonths?\b|مدت کار", "fact_employment_months"),
        (r"referr|معرفی", "fact_referral_source"),
        (r"vulnerab|آسیب", "fact_vulnerabilities"),
        (r"recommendation|توصیه", "fact_has_recommendation_letter"),
        (r"father|پدر|ولد", "father_name"),
        (r"birth|\bdob\b|تولد", "date_of_birth"),
        (r"e ?tazk|e ?nid|الکترونیکی", "e_tazkira"),
        (r"tazk|تذکره|national id", "paper_tazkira"),
        (r"passport|پاسپورت|گذرنامه", "passport"),
        (r"\bsiv\b", "siv_case"),
        (r"unhcr|proof of registration|\bpor\b", "unhcr"),
        (r"phone|mobile|whats ?app|\btel\b|\bcell\b|تماس|تلفن|تیلفون|موبایل|مبایل|واتساپ", "phone"),
        (r"e ?mail|ایمیل", "email"),
        (r"surname|last name|family name|tribe|تخلص", "family_name"),
        (r"first name|given|نام کوچک", "given_name"),
        (r"gender|\bsex\b|جنسیت", "sex"),
        (r"relation|نسبت|رابطه", "relationship"),
        (r"province|ولایت", "province"),
        (r"country|کشور", "current_country"),
        (r"location|address|city|آدرس|موقعیت|محل", "current_location"),
        (r"help|assistance|کمک", "help_requested"),
        (r"note|comment|remark|ملاحظات|توضیحات", NOTES),
        (r"name|نام|اسم", "full_name"),
    )
)

_ARABIC_VARIANTS = str.maketrans(
    {
        "ي": "ی",
        "ى": "ی",
        "ك": "ک",
        "ۀ": "ه",
        "ة": "ه",
        "\u200c": " ",
        "\u200d": "",
        "\u0640": "",
        "#": " no ",
    }
)
_MARKS = re.compile(r"[\u064b-\u065f\u0670]")
_PUNCTUATION = re.compile(r"[^\w]+")


def normalize_header(header: str) -> str:
    """A header reduced to what identifies it: case, punctuation and script variants folded."""
    text = unicodedata.normalize("NFKC", header or "").translate(_ARABIC_VARIANTS)
    text = western_digits(_MARKS.sub("", text)).casefold()
    return " ".join(_PUNCTUATION.sub(" ", text).replace("_", " ").split())


@functools.cache
def known_headers() -> dict[str, str]:
    """headers.csv as {normalised header: field}."""
    path = Path(__file__).with_name("headers.csv")
    with path.open(encoding="utf-8", newline="") as f:
        return {normalize_header(row["header"]): row["field"] for row in csv.DictReader(f)}


def recognise(header: str, overrides: Mapping[str, str] = {}) -> str | None:
    """The field a header names, or None. `overrides` (normalised header -> field) win."""
    key = normalize_header(header)
    if not key:
        return None
    if key in overrides:
        return overrides[key]
    if key in known_headers():
        return known_headers()[key]
    for pattern, field in _KEYWORD_RULES:
        if pattern.search(key):
            return field
    return None


def detect_mapping(headers: Sequence[str], overrides: Mapping[str, str] = {}) -> list[str]:
    """One field per column. A single-valued field claimed twice keeps the first column."""
    mapping: list[str] = []
    taken: set[str] = set()
    for header in headers:
        field = recognise(header, overrides)
        if field is None:
            field = NOTES if header.strip() else IGNORE
        elif field in taken and field not in MULTI_FIELDS:
            field = NOTES
        taken.add(field)
        mapping.append(field)
    return mapping


def recognised_count(mapping: Sequence[str]) -> int:
    """Columns that feed a real field: what makes a sheet importable at all."""
    return sum(1 for field in mapping if field not in (NOTES, IGNORE))


def validate_mapping(mapping: Sequence[str]) -> list[str]:
    """Problems with a hand-made mapping, as messages; empty when it is usable."""
    problems = [_("unknown field “%(field)s”") % {"field": f} for f in unknown_fields(mapping)]
    seen: set[str] = set()
    for field in mapping:
        if field in seen and field not in MULTI_FIELDS:
            problems.append(_("“%(field)s” is given to more than one column") % {"field": field})
        seen.add(field)
    return problems


def unknown_fields(mapping: Sequence[str]) -> list[str]:
    """The names in a hand-made mapping that are no field Haven knows."""
    return [f for f in mapping if f not in FIELDS]


def corrections(headers: Sequence[str], mapping: Sequence[str]) -> dict[str, str]:
    """What staff changed from automatic recognition, to remember for the source."""
    automatic = detect_mapping(headers)
    return {
        normalize_header(header): field
        for header, field, auto in zip(headers, mapping, automatic, strict=False)
        if field != auto and normalize_header(header)
    }
