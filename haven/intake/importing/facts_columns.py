"""Eligibility columns: from a cell as a source wrote it to a triage fact, through a value table.

fact_values.csv beside this file is that table (column, value as written, fact, fact value), a
data file a task force extends without touching code, like headers.csv. Each source
organisation's own words ("USAID project", "CoM ok") are remembered as it is corrected
(ImportMapping.fact_values), like its column corrections. A value in neither is never guessed:
the row gets a problem, the cell goes to the notes, and the dry run lists the value so that
staff can say what it means. Intake does not check facts against triage's schema (it may not
import triage); triage reads Request.stated_facts leniently and drops what does not fit.
"""

from __future__ import annotations

import csv
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from haven.intake.fact_labels import CHOICE_LABELS

from .fields import normalize_header

# The column → the fact its values are written in (the category column answers whether the
# person claims eligibility at all; a value table row may still set any fact).
COLUMN_FACT: dict[str, str] = {
    "fact_category": "claims_eligibility",
    "fact_employer_type": "employer_type",
    "fact_employment_months": "employment_months",
    "fact_siv_stage": "siv_stage",
    "fact_referral_source": "referral_source",
    "fact_vulnerabilities": "vulnerabilities",
    "fact_has_recommendation_letter": "has_recommendation_letter",
}
LIST_COLUMNS = frozenset({"fact_vulnerabilities"})
_LIST_SEPARATORS = re.compile(r"\s*(?:[,;/|،؛+&\n]|\band\b|\s+و\s+)\s*", re.IGNORECASE)
_MONTHS = re.compile(r"^(?P<n>\d+(?:[.,]\d+)?)\s*(?P<unit>years?|yrs?|y|سال|months?|mos?|m|ماه)?$")
_YEAR_UNITS = ("year", "yr", "y", "سال")

FactValue = tuple[str, Any]

# Fact values as staff read them when saying what a source's word means.
VALUE_LABELS: dict[str, str | Promise] = {"true": _("Yes"), "false": _("No"), **CHOICE_LABELS}


@dataclass
class CellFacts:
    """What one cell says: facts, and the parts of it nobody has said the meaning of."""

    facts: dict[str, Any] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)


def _decode(text: str) -> Any:
    """A fact value as the table writes it: true/false, a code, or empty (no value)."""
    return {"true": True, "false": False}.get(text, text)


@functools.cache
def value_table() -> dict[str, dict[str, tuple[FactValue, ...]]]:
    """fact_values.csv as {column: {normalised value: ((fact, value), …)}}."""
    table: dict[str, dict[str, tuple[FactValue, ...]]] = {}
    path = Path(__file__).with_name("fact_values.csv")
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            values = table.setdefault(row["column"], {})
            key = normalize_header(row["value"])
            values[key] = (*values.get(key, ()), (row["fact"], _decode(row["fact_value"])))
    return table


def choices(column: str) -> list[str]:
    """The values staff may give an unknown cell of this column, as the table knows them."""
    if column == "fact_employment_months":
        return []
    fact = COLUMN_FACT[column]
    seen: list[str] = []
    for pairs in value_table().get(column, {}).values():
        for name, value in pairs:
            text = str(value).lower() if isinstance(value, bool) else str(value)
            if name == fact and text and text not in seen:
                seen.append(text)
    return seen


def _months(text: str) -> int | None:
    match = _MONTHS.match(text)
    if match is None:
        return None
    number = float(match["n"].replace(",", "."))
    unit = match["unit"] or ""
    return round(number * 12) if unit.startswith(_YEAR_UNITS) else round(number)


def _lookup(
    column: str, key: str, overrides: Mapping[str, Mapping[str, str]]
) -> tuple[FactValue, ...] | None:
    own = overrides.get(column, {})
    if key in own:
        return ((COLUMN_FACT[column], _decode(own[key])),)
    return value_table().get(column, {}).get(key)


def read_cell(column: str, cell: str, overrides: Mapping[str, Mapping[str, str]] = {}) -> CellFacts:
    """The facts a cell of an eligibility column gives, under the source's own words first."""
    found = CellFacts()
    key = normalize_header(cell)
    if not key:
        return found
    if column == "fact_employment_months":
        months = _months(key)
        if months is None:
            found.unknown.append(key)
        else:
            found.facts["employment_months"] = months
        return found
    parts = [key]
    # A list column is split into its items, unless the whole cell is a known value with a
    # separator in it ("woman/girl at risk").
    if column in LIST_COLUMNS and _lookup(column, key, overrides) is None:
        parts = [k for p in _LIST_SEPARATORS.split(cell) if (k := normalize_header(p))]
    items: list[str] = []
    for part in parts:
        pairs = _lookup(column, part, overrides)
        if pairs is None:
            found.unknown.append(part)
            continue
        for name, value in pairs:
            if column in LIST_COLUMNS and name == COLUMN_FACT[column]:
                if value:
                    items.append(str(value))
            elif value != "":
                found.facts[name] = value
    if column in LIST_COLUMNS and (items or not found.unknown):
        found.facts[COLUMN_FACT[column]] = sorted(set(items))
    return found
