"""Identifier keys: one document typed differently gives one key; placeholders give none."""

from __future__ import annotations

from haven.resolution.identifiers import (
    email_key,
    passport_key,
    phone_key,
    siv_case_key,
    tazkira_key,
)


def test_it_reads_passport_o_as_zero_and_i_as_one() -> None:
    assert passport_key("P01234567") == passport_key("p O1234567") == passport_key("P0I234567")
    assert passport_key("O12345678") == passport_key("012345678")


def test_it_ignores_placeholder_passports() -> None:
    assert passport_key("N/A") is None
    assert passport_key("000000000") is None
    assert passport_key("") is None


def test_it_reads_e_tazkira_with_or_without_dashes() -> None:
    assert tazkira_key("1398-2544-26665") == tazkira_key("1398254426665") == "e1398254426665"
    assert tazkira_key("۱۳۹۸-۲۵۴۴-۲۶۶۶۵") == "e1398254426665"


def test_it_reads_paper_tazkira_volume_page_number() -> None:
    assert tazkira_key("V-249 P-48 R-425") == tazkira_key("249/48/425") == "p249/48/425"


def test_it_reads_siv_case_numbers_without_prefix() -> None:
    assert siv_case_key("KBL 0012345") == siv_case_key("0012345") == "KBL0012345"


def test_it_brings_afghan_and_pakistani_phones_to_e164() -> None:
    assert phone_key("0700 123 456") == phone_key("+93 700 123 456") == "+93700123456"
    assert phone_key("0093700123456") == "+93700123456"
    assert phone_key("03465496931") == phone_key("92 346 5496931") == "+923465496931"


def test_it_ignores_placeholder_phones_and_emails() -> None:
    assert phone_key("0700000000") is None
    assert phone_key("not a phone") is None
    assert email_key("test@test.com") is None
    assert email_key("Someone@Example.org ") == "someone@example.org"
