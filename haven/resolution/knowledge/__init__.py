"""Knowledge about names, dates and placeholder values, kept as data another crisis can extend.

Each table is a CSV file in this package with a `why` column where a reason is
useful. Loaders are cached: the tables are read once per process.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources


def read_table(name: str) -> list[dict[str, str]]:
    text = resources.files(__name__).joinpath(name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


@dataclass(frozen=True)
class ArabicLetter:
    latin: str
    initial: str
    final: str


@cache
def arabic_letters() -> dict[str, ArabicLetter]:
    return {
        row["letter"]: ArabicLetter(row["latin"], row["initial"], row["final"] or row["latin"])
        for row in read_table("arabic_letters.csv")
    }


@cache
def latin_rules() -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple(
        (re.compile(row["pattern"]), row["replacement"].replace("\\1", r"\1"))
        for row in read_table("latin_rules.csv")
    )


@cache
def name_variants() -> dict[str, str]:
    return {row["variant"]: row["canonical"] for row in read_table("name_variants.csv")}


@cache
def name_affixes(kind: str) -> frozenset[str]:
    return frozenset(row["form"] for row in read_table("name_affixes.csv") if row["kind"] == kind)


@cache
def placeholders(field: str) -> frozenset[str]:
    return frozenset(
        row["value"] for row in read_table("placeholders.csv") if row["field"] == field
    )


@cache
def month_names() -> dict[str, tuple[int, str]]:
    return {
        row["name"]: (int(row["month"]), row["calendar"]) for row in read_table("month_names.csv")
    }
