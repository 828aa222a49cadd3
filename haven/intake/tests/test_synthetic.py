"""The synthetic generator: deterministic, household-shaped, and as messy as real intake."""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
import re
from collections import defaultdict
from pathlib import Path

import pytest

from haven.intake import normalize
from haven.intake.models import Channel, IdentifierKind, Relationship
from haven.intake.services import PersonInput
from haven.intake.synthetic import (
    RESOLVE_FILE_HEADER,
    TRUTH_FILE_HEADER,
    SyntheticRequest,
    generate,
    write_records_csv,
)
from haven.intake.synthetic.households import build_household, family_root
from haven.intake.synthetic.tables import load_tables


@pytest.fixture(scope="module")
def sample() -> list[SyntheticRequest]:
    return list(generate(requests=600, seed=1))


def _people(requests: list[SyntheticRequest]) -> list[PersonInput]:
    return [p for r in requests for p in r.data.people]


def _identifiers(requests: list[SyntheticRequest], kind: str) -> list[str]:
    return [v for p in _people(requests) for k, v in p.identifiers if k == kind]


def _names(person: PersonInput) -> list[str]:
    return [person.full_name, person.given_name, person.family_name, person.father_name]


def test_same_seed_gives_the_same_requests() -> None:
    first = list(generate(requests=60, seed=42))
    again = list(generate(requests=60, seed=42))
    assert [r.data for r in first] == [r.data for r in again]
    assert [r.raw_input for r in first] == [r.raw_input for r in again]
    assert [r.received_at for r in first] == [r.received_at for r in again]
    assert [r.person_keys for r in first] == [r.person_keys for r in again]


def test_another_seed_gives_other_people() -> None:
    one = [_names(p) for p in _people(list(generate(requests=60, seed=1)))]
    other = [_names(p) for p in _people(list(generate(requests=60, seed=2)))]
    assert one != other


def test_global_random_state_is_left_alone() -> None:
    random.seed(5)
    expected = random.random()
    random.seed(5)
    list(generate(requests=20, seed=9))
    assert random.random() == expected


def test_exactly_the_requested_number_with_one_key_per_person(
    sample: list[SyntheticRequest],
) -> None:
    assert len(sample) == 600
    assert [r.index for r in sample] == list(range(600))
    for request in sample:
        assert len(request.person_keys) == len(request.data.people) >= 1
        assert request.data.people[0].relationship == Relationship.PRINCIPAL
        assert all(key.startswith(request.household_key + "-") for key in request.person_keys)
        assert len(set(request.person_keys)) == len(request.person_keys)
        assert request.data.channel in Channel.values
        json.loads(request.raw_input)


def test_receipt_times_are_aware_in_order_and_end_just_before_today(
    sample: list[SyntheticRequest],
) -> None:
    times = [r.received_at for r in sample]
    assert all(t.tzinfo is not None for t in times)
    assert times == sorted(times)
    now = dt.datetime.now(dt.UTC)
    # Dated relative to today (issue 11), not to 2021: queues are days old, not years.
    assert now - dt.timedelta(days=80) <= times[0]
    assert now - dt.timedelta(days=2) <= times[-1] <= now
    assert (times[-1] - times[0]).days > 45


def test_a_given_today_gives_the_same_stream_and_another_day_only_moves_it() -> None:
    today = dt.date(2026, 3, 1)
    first = list(generate(requests=40, seed=5, today=today))
    again = list(generate(requests=40, seed=5, today=today))
    assert [(r.received_at, r.raw_input) for r in first] == [
        (r.received_at, r.raw_input) for r in again
    ]
    assert first[-1].received_at <= dt.datetime(2026, 3, 2, tzinfo=dt.UTC)
    assert first[-1].received_at.date() >= dt.date(2026, 2, 27)
    later = list(generate(requests=40, seed=5, today=dt.date(2026, 3, 11)))
    assert [r.person_keys for r in later] == [r.person_keys for r in first]
    assert [r.data.channel for r in later] == [r.data.channel for r in first]
    assert {(b.received_at - a.received_at) for a, b in zip(first, later, strict=True)} == {
        dt.timedelta(days=10)
    }


def test_siblings_share_father_and_phone_but_are_different_people(
    sample: list[SyntheticRequest],
) -> None:
    shared_phone = 0
    pairs = 0
    for request in sample:
        principal, *others = request.data.people
        for key, person in zip(request.person_keys[1:], others, strict=True):
            if person.relationship != Relationship.SIBLING:
                continue
            pairs += 1
            assert key != request.person_keys[0]
            if principal.father_name and person.father_name:
                assert person.father_name == principal.father_name
            phones = {v for k, v in person.identifiers if k == IdentifierKind.PHONE}
            shared_phone += bool(phones & {v for k, v in principal.identifiers if k == "phone"})
    assert pairs >= 20
    assert shared_phone >= 3


def test_a_brothers_household_shares_father_family_and_province() -> None:
    tables = load_tables()
    first = build_household(tables, random.Random(1), "h000001")
    brother = build_household(tables, random.Random(2), "h000002", family_root(first))
    assert brother.principal.father == first.principal.father
    assert brother.principal.family == first.principal.family
    assert brother.province == first.province
    assert brother.principal.given != first.principal.given
    assert {p.key for p in brother.members}.isdisjoint(p.key for p in first.members)


def test_the_same_household_arrives_again_through_other_channels(
    sample: list[SyntheticRequest],
) -> None:
    by_household: dict[str, list[SyntheticRequest]] = defaultdict(list)
    for request in sample:
        by_household[request.household_key].append(request)
    repeated = [rs for rs in by_household.values() if len(rs) > 1]
    assert len(repeated) >= 50
    assert max(len(rs) for rs in repeated) <= 4
    assert sum(len({r.data.channel for r in rs}) > 1 for rs in repeated) >= 30
    # Written differently: a member missing, or the principal's name spelled otherwise.
    differs = sum(
        len({tuple(r.person_keys) for r in rs}) > 1
        or len({tuple(_names(r.data.people[0])) for r in rs}) > 1
        for rs in repeated
    )
    assert differs >= len(repeated) // 2


def test_names_look_like_the_real_thing(sample: list[SyntheticRequest]) -> None:
    people = _people(sample)
    names = [n for p in people for n in _names(p) if n]
    assert sum(normalize.has_arabic_script(n) for n in names) >= 20
    latin = " ".join(names)
    for spelling in ("Mohammad", "Muhammad", "Mohammed"):
        assert spelling in latin
    assert re.search(r"\b\w+zai\b", latin)
    assert re.search(r"\w(?: |-)?[Uu]llah\b", latin)
    # Most people have no surname: the family field is empty or holds the father's name.
    no_surname = [
        p for p in people if not p.family_name or p.family_name == p.father_name or p.full_name
    ]
    assert len(no_surname) > len(people) / 2
    assert any(p.family_name and p.family_name == p.father_name for p in people)


def test_dates_of_birth_come_in_every_real_form(sample: list[SyntheticRequest]) -> None:
    written = [normalize.western_digits(p.date_of_birth) for p in _people(sample)]
    parsed = [normalize.parse_date_of_birth(d) for d in written if d]
    assert sum(bool(re.fullmatch(r"1[89]\d\d|20[0-2]\d", d)) for d in written) >= 100
    assert sum("dob_solar_hijri" in p.flags for p in parsed) >= 50
    assert sum("dob_january_first" in p.flags for p in parsed) >= 100
    assert sum(bool(re.fullmatch(r"(0[1-9]|1[0-2])/(1[3-9]|2\d|3[01])/\d{4}", d)) for d in written)
    assert sum("dob_unparsed" in p.flags for p in parsed) < len(parsed) * 0.05


def test_identifiers_follow_real_formats_with_some_damage(sample: list[SyntheticRequest]) -> None:
    phones = [
        normalize.normalize_identifier("phone", v).normalized
        for v in _identifiers(sample, IdentifierKind.PHONE)
    ]
    assert sum(p.startswith("+937") for p in phones) > len(phones) / 2
    assert sum(p.startswith("+923") for p in phones) >= 10
    for kind, pattern in (
        (IdentifierKind.PASSPORT, r"[PO]\d{8}"),
        (IdentifierKind.E_TAZKIRA, r"\d{13}"),
        (IdentifierKind.SIV_CASE, r"KBL\d+"),
    ):
        values = [
            normalize.normalize_identifier(kind, v).normalized for v in _identifiers(sample, kind)
        ]
        matching = sum(bool(re.fullmatch(pattern, v)) for v in values)
        assert len(values) * 0.8 < matching < len(values), kind
    tazkiras = _identifiers(sample, IdentifierKind.E_TAZKIRA)
    assert any(re.fullmatch(r"\d{4}-\d{4}-\d{5}", t) for t in tazkiras)
    emails = _identifiers(sample, IdentifierKind.EMAIL)
    assert emails
    assert all(e.lower().endswith(".example") for e in emails)


def test_channels_and_requesters_vary(sample: list[SyntheticRequest]) -> None:
    assert {r.data.channel for r in sample} == set(Channel.values)
    kinds = {(r.data.channel, r.data.requester.kind) for r in sample}
    assert ("api", "international_org") in kinds
    assert {k for _, k in kinds} >= {"applicant", "sponsor", "office", "international_org"}
    email = next(r for r in sample if r.data.channel == "email")
    assert set(json.loads(email.raw_input)) == {"from", "subject", "body"}


def test_csv_writer_writes_the_exact_header_and_one_row_per_record(tmp_path: Path) -> None:
    requests = list(generate(requests=40, seed=3))
    records_path, truth_path = tmp_path / "records.csv", tmp_path / "truth.csv"
    count = write_records_csv(iter(requests), records_path, truth_path)

    expected = sum(len(r.data.people) for r in requests)
    assert count == expected
    lines = records_path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == RESOLVE_FILE_HEADER
    assert RESOLVE_FILE_HEADER == (
        "record_id,channel,full_name,given_name,family_name,father_name,sex,date_of_birth,"
        "phone,email,passport_number,tazkira_number,siv_case_number,province"
    )
    with records_path.open(encoding="utf-8", newline="") as f:
        records = list(csv.DictReader(f))
    with truth_path.open(encoding="utf-8", newline="") as f:
        truth = list(csv.DictReader(f))
    assert truth_path.read_text(encoding="utf-8").splitlines()[0] == TRUTH_FILE_HEADER
    assert len(records) == len(truth) == expected
    assert [r["record_id"] for r in records] == [t["record_id"] for t in truth]
    assert records[0]["record_id"] == "r000000-0"
    assert truth[0]["person_id"] == requests[0].person_keys[0]
    assert truth[0]["household_id"] == requests[0].household_key
    principal = requests[0].data.people[0]
    assert records[0]["channel"] == requests[0].data.channel
    assert records[0]["date_of_birth"] == principal.date_of_birth


def test_web_and_api_requests_carry_eligibility_answers_in_the_triage_schema():
    from haven.triage.facts import clean_facts_leniently

    carried = 0
    for synthetic in generate(requests=200, seed=11):
        raw = json.loads(synthetic.raw_input)
        if synthetic.data.channel in ("web_form", "api"):
            facts, rejected = clean_facts_leniently(raw["facts"])
            assert not rejected and facts
            carried += 1
        else:
            assert "facts" not in raw
    assert carried > 20
