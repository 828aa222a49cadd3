"""From a table to rows: finding the header, and turning one row into a RequestInput.

Every data row gets an outcome here: to import (parsed as far as possible, problems
listed), or to reject because it carries nothing (an empty row, a repeated header).
A row that cannot be understood is still imported, and request_create marks it
"needs data entry": only a row with nothing in it is rejected.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from anyascii import anyascii
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from haven.accounts.models import Organization
from haven.common import crypto
from haven.intake import normalize
from haven.intake.models import Channel, Relationship, Requester, Sex
from haven.intake.services import PersonInput, RequesterInput, RequestInput

from . import facts_columns, fields
from .errors import ImportFileError
from .readers import RowStream, Table

HEADER_SEARCH_ROWS = 20
# Cells that a spreadsheet program would run as a formula if it opened an export.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# The model's column sizes: longer values are cut (and flagged), the raw row keeps them whole.
_LIMITS = {"full_name": 300, "given_name": 150, "family_name": 150, "father_name": 150}
_LIMITS.update(province=100, current_location=200)

REJECT_EMPTY = "empty"
REJECT_HEADER = "header_repeat"
REJECT_STORE = "store_failed"
REJECT_MESSAGES = {
    REJECT_EMPTY: gettext_lazy("Empty row: nothing to import."),
    REJECT_HEADER: gettext_lazy("The header row again: not a request."),
    REJECT_STORE: gettext_lazy("Could not be stored; the row is kept here as read."),
}
PROBLEM_LABELS = {
    "name_missing": gettext_lazy("No name: will need data entry"),
    "dob_unparsed": gettext_lazy("Date of birth not understood (kept as written)"),
    "sex_unrecognised": gettext_lazy("Sex not understood (kept in the raw row)"),
    "country_unrecognised": gettext_lazy("Country not understood (kept as a note)"),
    "formula_like": gettext_lazy("A cell starts with = + - or @ (kept as plain text)"),
    "truncated": gettext_lazy("A value was too long and was shortened (kept whole in the raw row)"),
    "passport_invalid": gettext_lazy("Passport number looks wrong (kept as written)"),
    "e_tazkira_invalid": gettext_lazy("e-Tazkira number looks wrong (kept as written)"),
    "paper_tazkira_invalid": gettext_lazy("Paper Tazkira number looks wrong (kept as written)"),
    "siv_case_invalid": gettext_lazy("SIV case number looks wrong (kept as written)"),
    "unhcr_invalid": gettext_lazy("UNHCR number looks wrong (kept as written)"),
    "phone_invalid": gettext_lazy("Phone number not understood (kept as written)"),
    "email_invalid": gettext_lazy("E-mail address looks wrong (kept as written)"),
    "fact_value_unrecognised": gettext_lazy(
        "An eligibility answer not understood (kept as a note; say what it means below)"
    ),
    "household_continues": gettext_lazy(
        "Same household as rows stored earlier in this file, far above: stored as its own "
        "request, with a note naming the first one"
    ),
}

_SEX: dict[str, set[str]] = {
    Sex.MALE: {"m", "male", "man", "boy", "مرد", "ذکور", "نر", "پسر", "نارینه"},
    Sex.FEMALE: {"f", "female", "woman", "girl", "زن", "اناث", "مونث", "دختر", "ښځه", "ښځینه"},
    Sex.OTHER: {"x", "other", "دیگر"},
}
_RELATIONSHIP: dict[str, set[str]] = {
    Relationship.PRINCIPAL: {"principal", "pa", "head", "self", "applicant", "سرپرست", "متقاضی"},
    Relationship.SPOUSE: {"spouse", "wife", "husband", "همسر", "خانم", "شوهر", "زن"},
    Relationship.CHILD: {"child", "son", "daughter", "پسر", "دختر", "فرزند", "اولاد"},
    Relationship.PARENT: {"parent", "father", "mother", "پدر", "مادر"},
    Relationship.SIBLING: {"sibling", "brother", "sister", "برادر", "خواهر"},
}
_COUNTRIES: dict[str, set[str]] = {
    "AF": {"afghanistan", "افغانستان"},
    "PK": {"pakistan", "پاکستان"},
    "IR": {"iran", "ایران"},
    "TJ": {"tajikistan", "تاجیکستان"},
    "UZ": {"uzbekistan", "ازبکستان"},
    "QA": {"qatar", "قطر"},
    "AE": {"uae", "united arab emirates", "امارات"},
    "DE": {"germany", "آلمان", "جرمنی"},
    "US": {"usa", "united states", "america", "امریکا", "آمریکا"},
    "TR": {"turkey", "türkiye", "ترکیه"},
    "GB": {"uk", "united kingdom", "britain", "انگلستان", "بریتانیا"},
}


# A number as people write one: "-12", "+3.5", "1,200". Data, not a formula.
_NUMBER = re.compile(r"[+-]?(?:\d[\d,]*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def looks_like_formula(value: str) -> bool:
    """Whether a cell would run as a formula and is not plainly data.

    Every "+93 …" phone starts with a plus, and "-5" is a number: warning about those buries
    the one real "=HYPERLINK(…)". What is neutralised on export (report.neutralise) does not
    change: there, any cell with a formula prefix gets its apostrophe."""
    if not value.startswith(("=", "+", "-", "@")):
        return False
    if value[0] in "+-" and any(ch.isdigit() for ch in value):
        text = normalize.western_digits(value)
        if _NUMBER.fullmatch(text.replace(" ", "")):
            return False
        # A phone is written with its country code: "+93 …". "-2-3" is arithmetic.
        if value[0] == "+" and normalize.parses_as_phone(text):
            return False
    return True


def _lookup(table: Mapping[str, set[str]], value: str) -> str | None:
    key = fields.normalize_header(value)
    for code, words in table.items():
        if key in words:
            return code
    return None


@dataclass
class Sheet:
    """A table with its header found: data rows follow the header row."""

    table: Table
    header_row: int
    headers: list[str]
    _rest: Iterator[tuple[int, list[str]]]

    def data_rows(self) -> Iterator[tuple[int, list[str]]]:
        """Every row after the header. Empty rows after the last filled one are not rows:
        spreadsheets carry formatted blank rows that nobody typed."""
        blanks: list[tuple[int, list[str]]] = []
        for number, cells in self._rest:
            if any(c.strip() for c in cells):
                yield from blanks
                blanks.clear()
                yield number, cells
            else:
                blanks.append((number, cells))

    def stream(self, *, skip: int = 0) -> RowStream:
        """data_rows() after the first `skip` (a resumed import)."""
        return RowStream(
            itertools.islice(self.data_rows(), skip, None), fraction_read=self.table.fraction_read
        )


def find_header(table: Table, overrides: Mapping[str, str] = {}) -> Sheet:
    """The header is the row, among the first few, in which most columns are recognised:
    offices put titles and dates above their tables."""
    rows = table.rows()
    head = list(itertools.islice(rows, HEADER_SEARCH_ROWS))
    best_index, best_score = -1, 0
    for index, (_number, cells) in enumerate(head):
        score = fields.recognised_count(fields.detect_mapping(cells, overrides))
        if score > best_score:
            best_index, best_score = index, score
    if best_index < 0:
        filled = [cells for _n, cells in head if any(c.strip() for c in cells)]
        if not filled:
            raise ImportFileError(_("The file has no rows with anything in them."))
        found = ", ".join(f"“{c.strip()[:40]}”" for c in filled[0] if c.strip())[:400]
        raise ImportFileError(
            _(
                "No recognisable columns. The first row with content has: %(found)s. "
                "Name the columns (for example Name, Father's name, Date of birth, Phone, "
                "or نام، نام پدر، تاریخ تولد، شماره تماس) or give a column mapping."
            )
            % {"found": found}
        )
    number, headers = head[best_index]
    rest = itertools.chain(head[best_index + 1 :], rows)
    return Sheet(table=table, header_row=number, headers=list(headers), _rest=rest)


@dataclass
class ParsedRow:
    number: int
    cells: list[str]
    fingerprint: str = ""
    reject: str = ""  # a REJECT_* code, or "" when the row is to be imported
    data: RequestInput | None = None
    problems: list[str] = field(default_factory=list)
    same_person_key: str = ""
    label: str = ""
    # The household cell, normalised: rows sharing it become one request (households.py).
    household: str = ""
    # (column, normalised value) of eligibility cells nobody has said the meaning of.
    unknown_values: list[tuple[str, str]] = field(default_factory=list)


def row_digest(header_keys: Sequence[str], cells: Sequence[str]) -> str:
    """SHA-256 of a row's (normalised header, value) pairs, in any column order."""
    width = len(header_keys)
    pairs = sorted(
        (header_keys[i] if i < width else f"#{i}", value.strip())
        for i, value in enumerate(cells)
        if value and not value.isspace()
    )
    encoded = json.dumps(pairs, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(encoded.encode()).hexdigest()


def fingerprint(header_keys: Sequence[str], cells: Sequence[str]) -> str:
    """The same content under the same headers gives the same fingerprint, in any column order.

    `header_keys` are the normalised headers, so "Father's name" and "FATHER'S NAME" agree.
    Keyed (HMAC with the identifier key): the stored fingerprint confirms no guessed row.
    """
    return crypto.keyed_hash("import-row", row_digest(header_keys, cells))


def _name_key(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9 ]", " ", anyascii(text).casefold()).split())


class RowParser:
    """Turns one row into a RequestInput under a column mapping, for one source."""

    def __init__(
        self,
        *,
        headers: Sequence[str],
        mapping: Sequence[str],
        organization: Organization,
        fact_values: Mapping[str, Mapping[str, str]] | None = None,
    ) -> None:
        self.headers = list(headers)
        self.mapping = list(mapping)
        # The source's own words for eligibility answers, remembered from earlier files.
        self.fact_values = fact_values or {}
        self._household_index = next(
            (i for i, target in enumerate(self.mapping) if target == "household"), None
        )
        self._header_keys = [fields.normalize_header(h) for h in headers]
        kinds: dict[str, str] = {
            Organization.Kind.PARTNER: Requester.Kind.INTERNATIONAL_ORG,
            Organization.Kind.REQUESTING_BODY: Requester.Kind.OFFICE,
        }
        kind = kinds.get(organization.kind, Requester.Kind.OTHER)
        self.requester = RequesterInput(
            kind=kind, name=organization.name, organization=organization
        )

    def parse(self, number: int, cells: list[str]) -> ParsedRow:
        row = ParsedRow(
            number=number, cells=cells, fingerprint=fingerprint(self._header_keys, cells)
        )
        if not any(c.strip() for c in cells):
            row.reject = REJECT_EMPTY
        elif self._repeats_header(cells):
            row.reject = REJECT_HEADER
        else:
            self._build(row)
        return row

    def _repeats_header(self, cells: list[str]) -> bool:
        keys = self._header_keys
        # Normalising every cell of every row is costly; the first cell rules most rows out.
        if not cells or fields.normalize_header(cells[0]) != keys[0]:
            return False
        return [fields.normalize_header(c) for c in cells[: len(keys)]] == keys

    def household_of(self, cells: Sequence[str]) -> str:
        """The row's household key ("" when none): what keeps a family in one chunk."""
        index = self._household_index
        if index is None or index >= len(cells):
            return ""
        return fields.normalize_header(cells[index])

    def _label(self, index: int) -> str:
        header = self.headers[index].strip() if index < len(self.headers) else ""
        return header or _("Column %(n)s") % {"n": index + 1}

    def _build(self, row: ParsedRow) -> None:
        values: dict[str, str] = {}
        identifiers: list[tuple[str, str]] = []
        help_parts: list[str] = []
        notes: list[str] = []
        facts: dict[str, object] = {}
        mapping, width = self.mapping, len(self.mapping)
        for index, raw in enumerate(row.cells):
            value = raw.strip()
            if not value:
                continue
            if "formula_like" not in row.problems and looks_like_formula(value):
                row.problems.append("formula_like")
            target = mapping[index] if index < width else fields.NOTES
            if target in facts_columns.COLUMN_FACT:
                self._read_fact(row, target, value, facts, notes, index)
            elif target == "household":
                row.household = fields.normalize_header(value)
                notes.append(f"{self._label(index)}: {value}")
            elif target in fields.IDENTIFIER_FIELDS:
                identifiers.append((fields.IDENTIFIER_FIELDS[target], value))
            elif target == "help_requested":
                help_parts.append(value)
            elif target == fields.NOTES:
                notes.append(f"{self._label(index)}: {value}")
            elif target != fields.IGNORE:
                values[target] = value
        for name, limit in _LIMITS.items():
            if len(values.get(name, "")) > limit:
                values[name] = values[name][:limit]
                row.problems.append("truncated")
        sex = ""
        if values.get("sex"):
            sex = _lookup(_SEX, values["sex"]) or ""
            if not sex:
                row.problems.append("sex_unrecognised")
        relationship: str = Relationship.PRINCIPAL
        if values.get("relationship"):
            relationship = _lookup(_RELATIONSHIP, values["relationship"]) or Relationship.OTHER
        country = ""
        if values.get("current_country"):
            country = _lookup(_COUNTRIES, values["current_country"]) or ""
            if not country and re.fullmatch(r"[A-Za-z]{2}", values["current_country"]):
                country = values["current_country"].upper()
            if not country:
                row.problems.append("country_unrecognised")
                # Not inside the f-string: makemessages cannot see into one.
                label = _("Country")
                notes.append(f"{label}: {values['current_country']}")
        person = PersonInput(
            relationship=relationship,
            full_name=values.get("full_name", ""),
            given_name=values.get("given_name", ""),
            family_name=values.get("family_name", ""),
            father_name=values.get("father_name", ""),
            sex=sex,
            date_of_birth=values.get("date_of_birth", ""),
            province=values.get("province", ""),
            identifiers=tuple(identifiers),
        )
        has_person = any(values.get(f) for f in (*fields.NAME_FIELDS, "date_of_birth")) or bool(
            identifiers
        )
        row.data = RequestInput(
            channel=Channel.SPREADSHEET,
            people=(person,) if has_person else (),
            requester=self.requester,
            help_requested="\n".join([*help_parts, *notes]),
            current_country=country,
            current_location=values.get("current_location", ""),
            facts=facts,
        )
        self._check(row, person)

    def _read_fact(
        self,
        row: ParsedRow,
        column: str,
        value: str,
        facts: dict[str, object],
        notes: list[str],
        index: int,
    ) -> None:
        read = facts_columns.read_cell(column, value, self.fact_values)
        facts.update(read.facts)
        if read.unknown:
            if "fact_value_unrecognised" not in row.problems:
                row.problems.append("fact_value_unrecognised")
            row.unknown_values.extend((column, part) for part in read.unknown)
            notes.append(f"{self._label(index)}: {value}")

    def _check(self, row: ParsedRow, person: PersonInput) -> None:
        """The problems request_create would flag, found without writing anything."""
        names = [getattr(person, f) for f in fields.NAME_FIELDS]
        if not any(names):
            row.problems.append("name_missing")
        dob = normalize.parse_date_of_birth(person.date_of_birth)
        row.problems.extend(f for f in dob.flags if f == "dob_unparsed")
        for kind, value in person.identifiers:
            if not normalize.normalize_identifier(kind, value).is_valid:
                row.problems.append(f"{kind}_invalid")
        name = person.full_name or " ".join(p for p in (person.given_name, person.family_name) if p)
        row.label = name
        if name:
            year = str(dob.value.year) if dob.value else ""
            row.same_person_key = "|".join((_name_key(name), year, _name_key(person.father_name)))


def raw_row(
    *, file_name: str, sheet: str, number: int, headers: Sequence[str], cells: Sequence[str]
) -> str:
    """The row exactly as read, with its headers, for Request.raw_input."""
    return json.dumps(
        {
            "file": file_name,
            "sheet": sheet,
            "row": number,
            "headers": list(headers),
            "cells": list(cells),
        },
        ensure_ascii=False,
    )
