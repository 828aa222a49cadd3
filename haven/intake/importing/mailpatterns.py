"""The phrase table of e-mail reading (mail_patterns.csv), loaded once and compiled.

The words people use ("my wife", "daughter of", "تاریخ تولد", "3 children") are data a task
force can extend without touching code, like the header table (headers.csv). Phrases are
matched on folded text: lower case, Arabic letter variants and Eastern digits unified,
with the same character count as the original so positions carry over to it.
"""

from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass
from pathlib import Path

_FOLD = str.maketrans(
    {
        "ي": "ی",
        "ى": "ی",
        "ك": "ک",
        "ۀ": "ه",
        "ة": "ه",
        "\u200c": " ",
        "\u200f": " ",
        "\u200e": " ",
        **{c: str(i % 10) for i, c in enumerate("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩")},
    }
)


def fold(text: str) -> str:
    """Text for matching, the same length as `text` (so a match's span applies to both)."""
    folded = text.translate(_FOLD)
    lowered = folded.lower()
    # A few characters change length when lowered ("İ"): then match on the unlowered form.
    return lowered if len(lowered) == len(text) else folded


@dataclass(frozen=True)
class Patterns:
    """Each kind's phrases, longest first, with what they mean; and a regex per kind."""

    meaning: dict[str, dict[str, str]]
    regex: dict[str, re.Pattern[str]]

    def of(self, kind: str, phrase: str) -> str:
        return self.meaning.get(kind, {}).get(fold(phrase).strip(), "")


def _alternation(phrases: list[str]) -> str:
    # Longest first, so "family members" wins over "members"; whole words only (Latin and
    # Arabic script alike: \w covers both).
    ordered = sorted(phrases, key=len, reverse=True)
    return r"(?<!\w)(?:" + "|".join(re.escape(p) for p in ordered) + r")(?!\w)"


@functools.cache
def patterns() -> Patterns:
    path = Path(__file__).with_name("mail_patterns.csv")
    meaning: dict[str, dict[str, str]] = {}
    with path.open(encoding="utf-8", newline="") as f:
        rows = csv.DictReader(line for line in f if not line.startswith("#"))
        for row in rows:
            meaning.setdefault(row["kind"], {})[fold(row["phrase"]).strip()] = row["meaning"] or ""
    regex = {kind: re.compile(_alternation(list(phrases))) for kind, phrases in meaning.items()}
    return Patterns(meaning=meaning, regex=regex)
