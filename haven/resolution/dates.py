"""Dates of birth as matching evidence: a year always, a month and day only when believable.

Builds on `haven.intake.normalize.parse_date_of_birth` (numeric dates, Solar
Hijri, 1 January) and adds what arrives in free text: month names (Gregorian,
Afghan Solar Hijri and Iranian), compact YYYYMMDD, ISO timestamps, "about 1985",
and ages ("35 years"). 1 January is kept as a year: it is a de facto birthday,
so agreeing on it says no more than agreeing on the year.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import jdatetime

from haven.intake.models import DatePrecision
from haven.intake.normalize import parse_date_of_birth, western_digits

from . import knowledge

EXACT = "exact"
YEAR = "year"
UNKNOWN = "unknown"

# "35 years", "35 yrs old", "age 35", "35 y/o", "35 yo", "35 ساله".
_AGE = re.compile(
    r"^(?:age[\s:]*)?(\d{1,3})\s*(?:years?|yrs?|y\s*/\s*o|y\.?o\.?|y|ساله|سال)(?:\s*old)?$"
)
_ISO_TIME = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2})[ t]\d{1,2}:\d{2}(:\d{2})?.*$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_HEDGES = re.compile(r"\b(about|approx\.?|approximately|circa|ca\.?|around|c\.|born|in)\b|[~?]")
_WORD = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class Dob:
    year: int | None = None
    month: int | None = None
    day: int | None = None
    precision: str = UNKNOWN
    flags: tuple[str, ...] = field(default=())

    @property
    def iso(self) -> str | None:
        if self.precision != EXACT or self.year is None:
            return None
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"


def dob_parse(text: str, *, today: dt.date | None = None) -> Dob:
    """Parse a date of birth as written; never raises, flags what it could not read."""
    today = today or dt.date.today()
    raw = western_digits((text or "").strip().lower())
    if not raw:
        return Dob()
    if raw in knowledge.placeholders("dob"):
        return Dob(flags=("dob_placeholder",))
    raw = _HEDGES.sub(" ", raw).strip()
    if match := _AGE.match(raw):
        return _from_age(int(match.group(1)), today)
    if match := _ISO_TIME.match(raw):
        raw = match.group(1)
    if match := _COMPACT.match(raw):
        raw = "-".join(match.groups())
    if _WORD.search(raw):
        return _with_month_name(raw, today)
    return _from_parsed(raw, today)


def _from_parsed(raw: str, today: dt.date) -> Dob:
    parsed = parse_date_of_birth(raw, today=today)
    flags = tuple(parsed.flags)
    if parsed.value is None:
        return _month_year(raw, today) or Dob(flags=flags or ("dob_unparsed",))
    value = parsed.value
    if value.isoformat() in knowledge.placeholders("dob"):
        return Dob(flags=("dob_placeholder",))
    if parsed.precision == DatePrecision.EXACT:
        return Dob(value.year, value.month, value.day, EXACT, flags)
    # Year only, or 1 January: the day and month say nothing.
    return Dob(value.year, None, None, YEAR, flags)


def _month_year(raw: str, today: dt.date) -> Dob | None:
    """ "04/1988" or "1988-04": a month and a year, kept as a year."""
    parts = [p for p in re.split(r"[./\-\s]+", raw) if p]
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        return None
    year = next((int(p) for p in parts if len(p) == 4), None)
    if year is None:
        return None
    parsed = parse_date_of_birth(str(year), today=today)
    if parsed.value is None:
        return None
    return Dob(parsed.value.year, None, None, YEAR, (*parsed.flags, "dob_month_year"))


def _with_month_name(raw: str, today: dt.date) -> Dob:
    months = knowledge.month_names()
    month, calendar = None, "gregorian"
    for word in _WORD.findall(raw):
        if word in months:
            month, calendar = months[word]
            raw = raw.replace(word, " ")
    numbers = [int(n) for n in re.findall(r"\d+", raw)]
    years = [n for n in numbers if n >= 1000]
    days = [n for n in numbers if 1 <= n <= 31]
    if month is None or len(years) != 1:
        return Dob(flags=("dob_unparsed",))
    year = years[0]
    day = days[0] if days else None
    if calendar == "solar_hijri":
        return _solar_hijri_named(year, month, day)
    if day is None:
        return _from_parsed(str(year), today)
    return _from_parsed(f"{year:04d}-{month:02d}-{day:02d}", today)


def _solar_hijri_named(year: int, month: int, day: int | None) -> Dob:
    try:
        value = jdatetime.date(year, month, day or 15).togregorian()
    except ValueError:
        return Dob(flags=("dob_unparsed",))
    if day is None:
        return Dob(value.year, None, None, YEAR, ("dob_solar_hijri",))
    return Dob(value.year, value.month, value.day, EXACT, ("dob_solar_hijri",))


def _from_age(age: int, today: dt.date) -> Dob:
    if not 0 <= age <= 110:
        return Dob(flags=("dob_unparsed",))
    # An age gives the birth year only to within one: the matcher allows for that.
    return Dob(today.year - age, None, None, YEAR, ("dob_from_age",))
