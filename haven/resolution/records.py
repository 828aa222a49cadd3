"""One input row (resolve-file CSV or a PersonRecord) turned into the columns the matcher compares.

Missing values are None, never "": Splink treats NULL as "no evidence" and ""
as a value, and two empty strings must not agree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from haven.intake.normalize import western_digits

from . import identifiers, names
from .dates import EXACT, dob_parse

INPUT_COLUMNS = (
    "record_id",
    "channel",
    "full_name",
    "given_name",
    "family_name",
    "father_name",
    "sex",
    "date_of_birth",
    "phone",
    "email",
    "passport_number",
    "tazkira_number",
    "siv_case_number",
    "province",
)

# Columns the model reads; `group_id` and `flags` are for the guards and the report.
MATCH_COLUMNS = (
    "unique_id",
    "name_key",
    "name_cons",
    "name_tokens",
    "name_set",
    "name_first",
    "name_first_rare",
    "name_cons_rare",
    "father_key",
    "father_cons",
    "father_rare",
    "father_tokens",
    "sex",
    "dob_year",
    "dob_month",
    "dob_day",
    "dob_exact",
    "passport",
    "tazkira",
    "siv",
    "email",
    "phone",
    "province",
)

INSUFFICIENT = "insufficient_identity_data"

_SEX = {
    "m": "m",
    "male": "m",
    "man": "m",
    "boy": "m",
    "mr": "m",
    "مرد": "m",
    "ذکور": "m",
    "نارینه": "m",
    "f": "f",
    "female": "f",
    "woman": "f",
    "girl": "f",
    "mrs": "f",
    "زن": "f",
    "اناث": "f",
    "ښځه": "f",
}


def sex_key(value: str) -> str | None:
    return _SEX.get((value or "").strip().lower())


@lru_cache(maxsize=100_000)
def _phone(value: str) -> str | None:
    # Households repeat one number across many rows; parsing is the slow part.
    return identifiers.phone_key(value)


def _names_of(row: Mapping[str, str]) -> tuple[names.NameKey, names.NameKey, str]:
    """(own name, father's name, given name as written) with "X son of Y" taken apart."""
    full, father_in_full = names.patronymic_split(row.get("full_name") or "")
    given, father_in_given = names.patronymic_split(row.get("given_name") or "")
    father = row.get("father_name") or father_in_full or father_in_given
    father_key = names.name_key(father)
    own = names.name_key(full)
    if not own:
        family = names.name_key(row.get("family_name") or "")
        if family and family.consonants == father_key.consonants:
            # Asked for a surname, people write their father's name: it is said once, as
            # the father's, so "Tariq / Reza (father Reza)" and "Tariq (father Reza)" agree.
            family = names.EMPTY
        own = names.join(names.name_key(given), family)
    return names.without_trailing(own, father_key), father_key, given if not full else ""


def _first_token(given: str, name: names.NameKey) -> str | None:
    source = names.name_key(given) or name
    return source.consonants[0] if source else None


def record_prepare(row: Mapping[str, str], *, today: dt.date | None = None) -> dict[str, Any]:
    """The match columns of one row, plus `flags` explaining anything dropped."""
    name, father, given = _names_of(row)
    dob = dob_parse(row.get("date_of_birth") or "", today=today)
    province = names.name_key(row.get("province") or "")
    prepared: dict[str, Any] = {
        "unique_id": str(row.get("record_id") or ""),
        "name_key": name.sorted_key or None,
        "name_cons": name.sorted_consonants or None,
        "name_tokens": sorted(set(name.consonants)) or None,
        # The same tokens as one value: what the containment shares are counted by.
        "name_set": " ".join(sorted(set(name.consonants))) or None,
        "name_first": _first_token(given, name),
        "father_key": father.sorted_key or None,
        "father_cons": father.sorted_consonants or None,
        "father_tokens": sorted(set(father.consonants)) or None,
        "sex": sex_key(row.get("sex") or ""),
        "dob_year": dob.year,
        "dob_month": dob.month if dob.precision == EXACT else None,
        "dob_day": dob.day if dob.precision == EXACT else None,
        "dob_exact": dob.iso,
        "passport": identifiers.passport_key(row.get("passport_number") or ""),
        "tazkira": identifiers.tazkira_key(row.get("tazkira_number") or ""),
        "siv": identifiers.siv_case_key(row.get("siv_case_number") or ""),
        "email": identifiers.email_key(row.get("email") or ""),
        "phone": _phone((row.get("phone") or "").strip()),
        # Consonants: بلخ and Balkh, Bamiyan and Bamyan agree.
        "province": province.sorted_consonants or None,
        "flags": list(dob.flags),
        # As written, for spotting a default date typed on hundreds of rows.
        "_dob_text": western_digits((row.get("date_of_birth") or "").strip()),
    }
    if not has_identity(prepared):
        prepared["flags"].append(INSUFFICIENT)
    return prepared


def has_identity(prepared: Mapping[str, Any]) -> bool:
    """Something to match on: a document, or a name with at least one other fact beside it.

    A bare name ("Mohammad") would match thousands; such rows become their own person
    and are reported. Anything more is left to the model, whose term-frequency
    adjustments already make "Mohammad, 1990" count for little.
    """
    if any(prepared[k] for k in ("passport", "tazkira", "siv", "email")):
        return True
    if not prepared["name_tokens"]:
        return False
    return bool(prepared["dob_year"] or prepared["father_cons"] or prepared["phone"])


def records_prepare(
    rows: Iterable[Mapping[str, str]], *, today: dt.date | None = None
) -> list[dict[str, Any]]:
    return [record_prepare(row, today=today) for row in rows]
