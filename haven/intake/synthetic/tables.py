"""The generator's knowledge, loaded from the data files beside this module.

Names, spellings, provinces, phone formats and channel habits are data, not
code, so a reviewer who knows the region can correct them without reading
Python. Everything is parsed once into small typed structures.
"""

from __future__ import annotations

import bisect
import csv
import io
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Generic, TypeVar

import yaml

T = TypeVar("T")

_PACKAGE = "haven.intake.synthetic"
# A variant written in a table without ":weight" counts this much.
_DEFAULT_VARIANT_WEIGHT = 10.0


class Weighted(Generic[T]):
    """Weighted choice by bisection: random.choices re-validates on every call."""

    __slots__ = ("_cumulative", "_items", "_total")

    def __init__(self, pairs: Iterable[tuple[T, float]]) -> None:
        self._items: list[T] = []
        self._cumulative: list[float] = []
        total = 0.0
        for item, weight in pairs:
            if weight <= 0:
                continue
            total += float(weight)
            self._items.append(item)
            self._cumulative.append(total)
        if not self._items:
            raise ValueError("a weighted choice needs at least one positive weight")
        self._total = total

    @classmethod
    def of(cls, mapping: Mapping[Any, float]) -> Weighted[T]:
        return cls(mapping.items())

    def pick(self, rng: random.Random) -> T:
        return self._items[bisect.bisect_right(self._cumulative, rng.random() * self._total)]


@dataclass(frozen=True, slots=True)
class Name:
    """A single name: its usual Latin spelling, the ways it is also spelled, its Dari form."""

    name: str
    sex: str
    popularity: float
    latin: Weighted[str]
    dari: str
    kind: str = ""


@dataclass(frozen=True, slots=True)
class CompoundName:
    name: str
    sex: str
    popularity: float
    parts: tuple[str, ...]
    dari: str


@dataclass(frozen=True, slots=True)
class Province:
    name: str
    latin: Weighted[str]
    dari: str
    city: str


@dataclass(frozen=True, slots=True)
class PhonePlan:
    prefixes: Weighted[str]
    length: int
    formats: Weighted[str]


@dataclass(frozen=True, slots=True)
class ChannelProfile:
    name: str
    weight: float
    requesters: Weighted[str]
    layouts: Weighted[str]
    date_styles: Weighted[str]
    arabic_script: float
    father_field: float
    identifier_rate: float
    member_phone: float
    sex_recorded: float
    languages: Weighted[str]


@dataclass(frozen=True)
class Tables:
    names: dict[str, Name]
    compounds: dict[str, CompoundName]
    # Given names to draw from, by sex; compounds separately (see households.yaml).
    single_names: dict[str, Weighted[str]]
    compound_names: dict[str, Weighted[str]]
    families: dict[str, Name]
    family_names: Weighted[str]
    provinces: dict[str, Province]
    province_names: Weighted[str]
    phones: dict[str, PhonePlan]
    identifier_formats: dict[str, Weighted[str]]
    passport_lowercase: float
    channels: dict[str, ChannelProfile]
    channel_names: Weighted[str]
    spelling: dict[str, Any]
    household: dict[str, Any]
    # The weight tables of households.yaml, built once: they are drawn from per person.
    household_choices: dict[str, Weighted[Any]]
    channel_text: dict[str, Any]


def _read_text(filename: str) -> str:
    return resources.files(_PACKAGE).joinpath("data").joinpath(filename).read_text(encoding="utf-8")


def _csv_rows(filename: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(_read_text(filename))))


def _yaml(filename: str) -> dict[str, Any]:
    data = yaml.safe_load(_read_text(filename))
    assert isinstance(data, dict), filename
    return data


def _spellings(canonical: str, variants: str, canonical_weight: float) -> Weighted[str]:
    """'Muhammad:25|Mohd:4' -> weighted spellings, the table's own spelling included."""
    pairs = [(canonical, canonical_weight)]
    for variant in filter(None, (v.strip() for v in variants.split("|"))):
        spelling, _, weight = variant.partition(":")
        pairs.append((spelling, float(weight) if weight else _DEFAULT_VARIANT_WEIGHT))
    return Weighted(pairs)


def _names(filename: str, canonical_weight: float, kind_column: str) -> dict[str, Name]:
    return {
        row["name"]: Name(
            name=row["name"],
            sex=row.get("sex", ""),
            popularity=float(row["popularity"]),
            latin=_spellings(row["name"], row["variants"], canonical_weight),
            dari=row["dari"],
            kind=row.get(kind_column, ""),
        )
        for row in _csv_rows(filename)
    }


def _compounds(names: Mapping[str, Name]) -> dict[str, CompoundName]:
    compounds = {}
    for row in _csv_rows("compound_names.csv"):
        parts = tuple(row["name"].split())
        missing = [p for p in parts if p not in names]
        if missing:
            raise ValueError(f"compound {row['name']!r} uses unknown names {missing}")
        compounds[row["name"]] = CompoundName(
            row["name"], row["sex"], float(row["popularity"]), parts, row["dari"]
        )
    return compounds


def _by_sex(entries: Iterable[Name | CompoundName]) -> dict[str, Weighted[str]]:
    return {
        sex: Weighted((e.name, e.popularity) for e in entries if e.sex == sex) for sex in ("m", "f")
    }


def _phones() -> dict[str, PhonePlan]:
    plans = {}
    for country, spec in _yaml("phones.yaml").items():
        weights = spec.get("prefix_weights") or [1] * len(spec["prefixes"])
        plans[country] = PhonePlan(
            prefixes=Weighted(zip(spec["prefixes"], weights, strict=True)),
            length=int(spec["length"]),
            formats=Weighted.of(spec["formats"]),
        )
    return plans


def _channels(spec: Mapping[str, Any]) -> dict[str, ChannelProfile]:
    return {
        name: ChannelProfile(
            name=name,
            weight=float(c["weight"]),
            requesters=Weighted.of(c["requesters"]),
            layouts=Weighted.of(c["layouts"]),
            date_styles=Weighted.of(c["date_styles"]),
            arabic_script=float(c["arabic_script"]),
            father_field=float(c["father_field"]),
            identifier_rate=float(c["identifier_rate"]),
            member_phone=float(c["member_phone"]),
            sex_recorded=float(c["sex_recorded"]),
            languages=Weighted.of(c["languages"]),
        )
        for name, c in spec["channels"].items()
    }


# Keys of households.yaml that are {choice: weight} tables.
_HOUSEHOLD_CHOICES = ("children", "sibling_count", "dob_known", "pathways", "submissions")


def _identifier_formats() -> tuple[dict[str, Weighted[str]], float]:
    spec = _yaml("identifiers.yaml")
    formats = {kind: Weighted[str].of(entry["formats"]) for kind, entry in spec.items()}
    return formats, float(spec["passport"]["lowercase"])


@cache
def load_tables() -> Tables:
    spelling = _yaml("spelling.yaml")
    canonical_weight = float(spelling["canonical_weight"])
    names = _names("given_names.csv", canonical_weight, "")
    compounds = _compounds(names)
    families = _names("family_names.csv", canonical_weight, "kind")
    provinces = {
        row["name"]: Province(
            row["name"],
            _spellings(row["name"], row["variants"], canonical_weight),
            row["dari"],
            row["city"],
        )
        for row in _csv_rows("provinces.csv")
    }
    channel_text = _yaml("channels.yaml")
    channels = _channels(channel_text)
    household = _yaml("households.yaml")
    identifier_formats, passport_lowercase = _identifier_formats()
    return Tables(
        names=names,
        compounds=compounds,
        single_names=_by_sex(names.values()),
        compound_names=_by_sex(compounds.values()),
        families=families,
        family_names=Weighted((f.name, f.popularity) for f in families.values()),
        provinces=provinces,
        province_names=Weighted(
            (row["name"], float(row["popularity"])) for row in _csv_rows("provinces.csv")
        ),
        phones=_phones(),
        identifier_formats=identifier_formats,
        passport_lowercase=passport_lowercase,
        channels=channels,
        channel_names=Weighted((c.name, c.weight) for c in channels.values()),
        spelling=spelling,
        household=household,
        household_choices={k: Weighted[Any].of(household[k]) for k in _HOUSEHOLD_CHOICES},
        channel_text=channel_text,
    )
