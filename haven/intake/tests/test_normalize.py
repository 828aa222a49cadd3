from __future__ import annotations

import datetime as dt

import pytest

from haven.intake.normalize import normalize_identifier, parse_date_of_birth

TODAY = dt.date(2021, 9, 1)


@pytest.mark.parametrize(
    ("written", "e164"),
    [
        ("0700 123 456", "+93700123456"),
        ("+93 70 123 4567", "+93701234567"),
        ("0093701234567", "+93701234567"),
        ("0321-5279837", "+923215279837"),  # a Pakistani mobile, written locally after crossing
        ("+92 321 5279837", "+923215279837"),
        ("۰۷۰۰۱۲۳۴۵۶", "+93700123456"),  # typed with Dari digits
    ],
)
def test_it_brings_phones_to_e164(written, e164):
    parsed = normalize_identifier("phone", written)
    assert parsed.normalized == e164
    assert parsed.is_valid


def test_it_flags_a_phone_it_cannot_read_but_keeps_it():
    parsed = normalize_identifier("phone", "12")
    assert not parsed.is_valid
    assert parsed.as_written == "12"


@pytest.mark.parametrize(
    ("written", "expected", "precision"),
    [
        ("1988", dt.date(1988, 7, 1), "year"),
        ("12/04/1988", dt.date(1988, 4, 12), "exact"),
        ("04/25/1988", dt.date(1988, 4, 25), "exact"),  # month first: day and month swapped
        ("1988-04-12", dt.date(1988, 4, 12), "exact"),
        ("1365/04/12", dt.date(1986, 7, 3), "exact"),  # Solar Hijri
        ("01/01/1990", dt.date(1990, 1, 1), "approximate"),  # the de facto birthday
        ("1365", dt.date(1986, 7, 1), "year"),
    ],
)
def test_it_reads_dates_of_birth_as_they_are_written(written, expected, precision):
    parsed = parse_date_of_birth(written, today=TODAY)
    assert parsed.value == expected
    assert parsed.precision == precision


@pytest.mark.parametrize("written", ["spring", "32/13/1988", "2099", "12/1988"])
def test_it_flags_dates_it_cannot_read(written):
    parsed = parse_date_of_birth(written, today=TODAY)
    assert parsed.value is None
    assert parsed.flags == ["dob_unparsed"]


@pytest.mark.parametrize(
    ("kind", "written", "normalized", "valid"),
    [
        ("passport", "p 1234 5678", "P12345678", True),
        ("e_tazkira", "1398-0102-34567", "1398010234567", True),
        ("e_tazkira", "1398-0102", "13980102", False),
        ("paper_tazkira", "vol 12 / p. 34 / 5678", "12/34/5678", True),
        ("siv_case", "kbl 0012345", "KBL0012345", True),
        ("email", " Someone@Example.ORG ", "someone@example.org", True),
    ],
)
def test_it_normalises_identifiers(kind, written, normalized, valid):
    parsed = normalize_identifier(kind, written)
    assert (parsed.normalized, parsed.is_valid) == (normalized, valid)
