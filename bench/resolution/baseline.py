"""A plain Splink configuration: generic name comparisons, none of Haven's normalisation.

What a competent analyst would set up in an afternoon from Splink's tutorials:
lower-cased fields as written, Splink's NameComparison / Levenshtein / exact
matches, term-frequency adjustments on names. It shares Haven's training recipe,
thresholds and guarded clustering, so the difference measured is the knowledge.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import splink.comparison_library as cl

from haven.resolution.model import ModelSpec

COLUMNS = (
    "unique_id",
    "first_name",
    "surname",
    "father_name",
    "dob",
    "sex",
    "phone",
    "passport",
    "tazkira",
    "email",
    "province",
)


def _clean(value: str | None) -> str | None:
    text = (value or "").strip().lower()
    return text or None


def baseline_record(row: Mapping[str, str]) -> dict[str, Any]:
    full = (row.get("full_name") or "").split()
    first = row.get("given_name") or (full[0] if full else "")
    surname = row.get("family_name") or " ".join(full[1:])
    return {
        "unique_id": row["record_id"],
        "first_name": _clean(first),
        "surname": _clean(surname),
        "father_name": _clean(row.get("father_name")),
        "dob": _clean(row.get("date_of_birth")),
        "sex": _clean(row.get("sex")),
        "phone": _clean(row.get("phone")),
        "passport": _clean(row.get("passport_number")),
        "tazkira": _clean(row.get("tazkira_number")),
        "email": _clean(row.get("email")),
        "province": _clean(row.get("province")),
        "flags": [],
    }


def baseline_spec() -> ModelSpec:
    comparisons: list[Any] = [
        cl.NameComparison("first_name"),
        cl.NameComparison("surname"),
        cl.NameComparison("father_name"),
        cl.LevenshteinAtThresholds("dob", [1, 2]),
        cl.ExactMatch("sex"),
        cl.ExactMatch("phone"),
        cl.ExactMatch("passport"),
        cl.ExactMatch("tazkira"),
        cl.ExactMatch("email"),
        cl.ExactMatch("province").configure(term_frequency_adjustments=True),
    ]
    return ModelSpec(
        name="plain-splink",
        comparisons=comparisons,
        blocking_rules=[
            "l.first_name = r.first_name AND l.dob = r.dob",
            "l.surname = r.surname AND l.dob = r.dob",
            "l.first_name = r.first_name AND l.father_name = r.father_name",
            "l.first_name = r.first_name AND l.surname = r.surname",
            "l.passport = r.passport",
            "l.tazkira = r.tazkira",
            "l.phone = r.phone AND substr(l.first_name, 1, 1) = substr(r.first_name, 1, 1)",
        ],
        deterministic_rules=[
            "l.first_name = r.first_name AND l.surname = r.surname AND l.dob = r.dob",
            "l.passport = r.passport",
        ],
        deterministic_recall=0.7,
        em_rules=[
            "l.first_name = r.first_name AND l.father_name = r.father_name",
            "l.dob = r.dob",
        ],
    )
