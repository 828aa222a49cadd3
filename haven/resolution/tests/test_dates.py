"""Dates of birth as written, to matching evidence."""

from __future__ import annotations

import datetime as dt

import pytest

from haven.resolution.dates import EXACT, UNKNOWN, YEAR, dob_parse

TODAY = dt.date(2021, 9, 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12/04/1988", (1988, 4, 12)),
        ("1988-04-12", (1988, 4, 12)),
        ("19880412", (1988, 4, 12)),
        ("1988-04-12 00:00:00", (1988, 4, 12)),
        ("04/25/1988", (1988, 4, 25)),  # month first: the day cannot be 25th month
        ("12 Apr 1988", (1988, 4, 12)),
        ("April 12, 1988", (1988, 4, 12)),
        ("۱۲/۰۴/۱۹۸۸", (1988, 4, 12)),
        ("1365/01/01", (1986, 3, 21)),  # Solar Hijri: Nowruz 1365
        ("1 Hamal 1365", (1986, 3, 21)),
    ],
)
def test_it_reads_exact_dates(text: str, expected: tuple[int, int, int]) -> None:
    dob = dob_parse(text, today=TODAY)
    assert (dob.year, dob.month, dob.day, dob.precision) == (*expected, EXACT)


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("1988", 1988),
        ("about 1988", 1988),
        ("01/01/1988", 1988),  # 1 January: a de facto birthday, the day is unknown
        ("1988-01-01", 1988),
        ("04/1988", 1988),
        ("1365", 1986),  # Solar Hijri year
        ("35 years", 1986),
        ("35 y/o", 1986),
        ("35 yo", 1986),
    ],
)
def test_it_keeps_only_the_year_when_that_is_all_it_knows(text: str, year: int) -> None:
    dob = dob_parse(text, today=TODAY)
    assert (dob.year, dob.month, dob.day, dob.precision) == (year, None, None, YEAR)


@pytest.mark.parametrize("text", ["", "unknown", "32/13/1988", "1/1/1900", "2099", "n/a", "abc"])
def test_it_flags_garbage_and_never_raises(text: str) -> None:
    dob = dob_parse(text, today=TODAY)
    assert dob.precision == UNKNOWN
    assert dob.year is None


def test_it_flags_solar_hijri() -> None:
    assert "dob_solar_hijri" in dob_parse("1365/04/12", today=TODAY).flags
