"""Writing dates of birth, phones and document numbers the way people do.

Each writer has habits (a date style, a phone format) that hold for a whole
request; hand-typed identifiers are sometimes damaged, as real ones are.
"""

from __future__ import annotations

import datetime as dt
import random

import jdatetime

from .households import TruePerson
from .tables import Tables, Weighted

_PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
# Letters and digits mistaken for each other when typed from a photo or a bad scan.
_LOOKALIKES = {"0": "O", "O": "0", "1": "I", "I": "1", "5": "S", "8": "B"}
# Date styles that ask for a full date; only "year" and "solar" accept a bare year.
_FULL_DATE_STYLES = frozenset({"iso", "dmy", "dmy_dot", "mdy"})
_UNKNOWN_DOB = 0.03
_UNPARSEABLE_DOB = 0.015


def persian_digits(text: str) -> str:
    return text.translate(_PERSIAN_DIGITS)


def fill(template: str, value: str) -> str:
    """Fill '#' and '@' placeholders left to right with the characters of `value`."""
    chars = iter(value)
    return "".join(next(chars, "") if c in "#@" else c for c in template)


class DateWriter:
    def __init__(self, rng: random.Random, style: str, *, persian: bool) -> None:
        self._rng = rng
        self.style = style
        self._persian = persian

    def write(self, person: TruePerson, received_at: dt.datetime) -> str:
        text = self._write(person, received_at)
        return persian_digits(text) if self._persian else text

    def _write(self, person: TruePerson, received_at: dt.datetime) -> str:
        rng = self._rng
        roll = rng.random()
        if roll < _UNKNOWN_DOB:
            return ""
        if roll < _UNKNOWN_DOB + _UNPARSEABLE_DOB:
            age = (received_at.date() - person.birth).days // 365
            return rng.choice((f"about {age} years", f"approx. {person.birth.year}", f"{age} y/o"))
        born, year_only = person.birth, person.dob_known == "year" or self.style == "year"
        if person.dob_known == "year" and self.style in _FULL_DATE_STYLES and rng.random() < 0.6:
            # A form that insists on a full date gets the de facto birthday.
            born, year_only = dt.date(born.year, 1, 1), False
        if self.style == "solar":
            solar = jdatetime.date.fromgregorian(date=born)
            return (
                str(solar.year) if year_only else f"{solar.year}/{solar.month:02d}/{solar.day:02d}"
            )
        if year_only:
            return str(born.year)
        y, m, d = born.year, born.month, born.day
        if self.style == "dmy":
            return f"{d:02d}/{m:02d}/{y}"
        if self.style == "dmy_dot":
            return f"{d}.{m}.{y}"
        if self.style == "mdy":
            return f"{m:02d}/{d:02d}/{y}"
        return born.isoformat()


class IdentifierWriter:
    """Phones and document numbers, with the writer's habits and occasional damage."""

    def __init__(self, tables: Tables, rng: random.Random, *, persian: bool) -> None:
        self._tables = tables
        self._rng = rng
        self._persian = persian
        self._phone_formats: dict[str, str] = {}
        # One writer formats every Tazkira the same way.
        self._formats = {k: w.pick(rng) for k, w in tables.identifier_formats.items()}
        damage = tables.spelling["damage"]
        self._damage_rate = float(damage["probability"])
        self._damage_kinds: Weighted[str] = Weighted.of(damage["kinds"])

    def _finish(self, text: str, *, damageable: bool = True) -> str:
        if damageable and self._rng.random() < self._damage_rate:
            text = self._damage(text)
        return persian_digits(text) if self._persian else text

    def _damage(self, text: str) -> str:
        rng = self._rng
        digits = [i for i, c in enumerate(text) if c.isdigit()]
        if len(digits) < 3:
            return text
        kind = self._damage_kinds.pick(rng)
        i = rng.choice(digits[:-1])
        if kind == "transpose" and text[i + 1].isdigit():
            return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
        if kind == "drop":
            return text[:i] + text[i + 1 :]
        if kind == "double":
            return text[:i] + text[i] + text[i:]
        lookalike = next(
            ((j, _LOOKALIKES[text[j]]) for j in digits if text[j] in _LOOKALIKES), None
        )
        if lookalike:
            j, replacement = lookalike
            return text[:j] + replacement + text[j + 1 :]
        return text

    def phone(self, country: str, national: str) -> str:
        if country not in self._phone_formats:
            self._phone_formats[country] = self._tables.phones[country].formats.pick(self._rng)
        return self._finish(fill(self._phone_formats[country], national))

    def passport(self, number: str) -> str:
        text = fill(self._formats["passport"], number)
        if self._rng.random() < self._tables.passport_lowercase:
            text = text.lower()
        return self._finish(text)

    def e_tazkira(self, number: str) -> str:
        return self._finish(fill(self._formats["e_tazkira"], number))

    def paper_tazkira(self, number: str, *, arabic: bool) -> str:
        volume, page, registration = number.split("/")
        template = self._formats["paper_tazkira"]
        if not arabic and not template.isascii():
            template = "{volume}/{page}/{number}"
        return self._finish(
            template.format(volume=volume, page=page, number=registration), damageable=False
        )

    def siv_case(self, number: str) -> str:
        # The template's '#'s take the digits; "KBL" is part of the template.
        return self._finish(fill(self._formats["siv_case"], number.removeprefix("KBL")))

    def email(self, address: str) -> str:
        # Typed addresses pick up capitals and stray spaces, not digit damage.
        return address.capitalize() if self._rng.random() < 0.1 else address
