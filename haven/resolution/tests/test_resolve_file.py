"""`haven resolve-file`: the evaluation interface, run without any database access.

pytest-django refuses database access in tests without the `db` fixture, so
these tests also prove the command never touches the application database.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from haven.resolution.records import INPUT_COLUMNS
from haven.resolution.resolve import Thresholds
from haven.resolution.resolve_file import rows_resolve

SIBLINGS = [
    # One man written four ways, his brother and his sister: one household.
    {"record_id": "a1", "given_name": "Zabihullah", "family_name": "Ahmadzai",
     "father_name": "Gul Ahmad", "sex": "m", "date_of_birth": "12/04/1988",
     "phone": "0700 123 456", "passport_number": "P01234567"},
    {"record_id": "a2", "full_name": "Zabiullah Ahmadzay", "father_name": "Gulahmad",
     "date_of_birth": "1988-04-12", "phone": "+93 700 123 456"},
    {"record_id": "a3", "full_name": "ذبیح الله احمدزی", "father_name": "گل احمد",
     "date_of_birth": "1367/01/23", "passport_number": "p 0I234567"},
    {"record_id": "a4", "given_name": "Ahmadzai", "family_name": "Zabih Ullah",
     "father_name": "Gul Ahmad", "sex": "male", "date_of_birth": "1988"},
    {"record_id": "b1", "given_name": "Hayatullah", "family_name": "Ahmadzai",
     "father_name": "Gul Ahmad", "sex": "m", "date_of_birth": "03/02/1991",
     "phone": "0700 123 456"},
    {"record_id": "c1", "given_name": "Maryam", "family_name": "Ahmadzai",
     "father_name": "Gul Ahmad", "sex": "f", "date_of_birth": "1995", "phone": "0700123456"},
    {"record_id": "n1", "full_name": "Mohammad"},
    {"record_id": "n2", "full_name": "Mohammad"},
    {"record_id": "e1"},
]  # fmt: skip


def _write(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=INPUT_COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "") for c in INPUT_COLUMNS})


def _run(tmp_path: Path, rows: list[dict[str, str]]) -> tuple[dict[str, dict[str, str]], str]:
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    _write(source, rows)
    out = io.StringIO()
    call_command("resolve_file", str(source), "--output", str(target), stdout=out)
    with target.open(encoding="utf-8") as stream:
        reader = csv.DictReader(stream)
        assert reader.fieldnames == ["record_id", "cluster_id", "decision"]
        return {r["record_id"]: r for r in reader}, out.getvalue()


def test_it_links_one_man_written_three_ways(tmp_path: Path) -> None:
    result, _ = _run(tmp_path, SIBLINGS)
    assert len({result[i]["cluster_id"] for i in ("a1", "a2", "a3")}) == 1
    assert all(result[i]["decision"] == "auto" for i in ("a1", "a2", "a3"))


def test_it_links_a_year_only_swapped_name_record_with_the_same_father(tmp_path: Path) -> None:
    # Name order swapped, only a birth year, but the same father and sex: him (measured
    # precision of links at this weight is above 0.99 on synthetic data).
    result, _ = _run(tmp_path, SIBLINGS)
    assert result["a4"]["decision"] == "auto"
    assert result["a4"]["cluster_id"] == result["a1"]["cluster_id"]


def test_it_sends_a_pair_between_the_thresholds_to_review() -> None:
    strict = Thresholds(auto=6.0, review=3.0, reference_records=None)
    resolution = rows_resolve([dict(r) for r in SIBLINGS], thresholds=strict)
    assert resolution.decision["a4"] == "review"
    assert resolution.cluster_of["a4"] == "a4"


def test_it_keeps_siblings_apart(tmp_path: Path) -> None:
    result, _ = _run(tmp_path, SIBLINGS)
    assert result["b1"]["cluster_id"] not in {
        result["a1"]["cluster_id"],
        result["c1"]["cluster_id"],
    }
    assert result["b1"]["decision"] == "single"
    assert result["c1"]["decision"] == "single"


def test_it_makes_rows_with_nothing_to_match_on_their_own_person(tmp_path: Path) -> None:
    result, summary = _run(tmp_path, SIBLINGS)
    assert result["n1"]["cluster_id"] == "n1"
    assert result["n2"]["cluster_id"] == "n2"
    assert result["e1"] == {"record_id": "e1", "cluster_id": "e1", "decision": "single"}
    assert "Insufficient identity data (own person, flagged): 3" in summary


def test_it_writes_every_row_in_input_order(tmp_path: Path) -> None:
    result, _ = _run(tmp_path, SIBLINGS)
    assert list(result) == [r["record_id"] for r in SIBLINGS]


def test_it_builds_no_giant_cluster_from_a_sponsor_phone_and_default_date(
    tmp_path: Path,
) -> None:
    names = ["Ahmad", "Karim", "Nasir", "Farid", "Jawad", "Habib", "Rashid", "Wahid", "Tariq"]
    rows = [
        {"record_id": f"s{i}", "given_name": names[i % 9], "family_name": f"Family{i // 9}",
         "date_of_birth": "1/1/1990", "phone": "0799 999 111"}
        for i in range(300)
    ]  # fmt: skip
    result, summary = _run(tmp_path, rows)
    sizes: dict[str, int] = {}
    for row in result.values():
        sizes[row["cluster_id"]] = sizes.get(row["cluster_id"], 0) + 1
    assert max(sizes.values()) == 1
    assert "Placeholder phone ignored: 1 value(s) shared by 300 rows" in summary
    assert "0799" not in summary  # the value itself is never printed


def test_it_respects_a_request_column_when_present() -> None:
    rows = [
        {"record_id": "x1", "full_name": "Sima Karimi", "father_name": "Habib",
         "date_of_birth": "1990", "request_id": "R1"},
        {"record_id": "x2", "full_name": "Sima Karimi", "father_name": "Habib",
         "date_of_birth": "1990", "request_id": "R1"},
    ]  # fmt: skip
    resolution = rows_resolve(rows)
    assert resolution.cluster_of["x1"] != resolution.cluster_of["x2"]


def test_it_refuses_a_file_without_record_id(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("name,phone\nA,1\n", encoding="utf-8")
    with pytest.raises(CommandError, match="no record_id column"):
        call_command("resolve_file", str(source), "--output", str(tmp_path / "o.csv"))


def test_it_refuses_duplicate_record_ids(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    _write(source, [{"record_id": "a"}, {"record_id": "a"}])
    with pytest.raises(CommandError, match="appears twice"):
        call_command("resolve_file", str(source), "--output", str(tmp_path / "o.csv"))


def test_it_handles_an_empty_file(tmp_path: Path) -> None:
    result, summary = _run(tmp_path, [])
    assert result == {}
    assert "0 records" in summary


def test_ages_count_from_the_day_given_with_as_of(tmp_path: Path) -> None:
    rows = [
        {"record_id": "y1", "given_name": "Zabihullah", "family_name": "Ahmadzai",
         "father_name": "Gul Ahmad", "sex": "m", "date_of_birth": "1988"},
        {"record_id": "y2", "full_name": "Zabiullah Ahmadzay", "father_name": "Gulahmad",
         "sex": "m", "date_of_birth": "33 years"},
    ]  # fmt: skip
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    _write(source, rows)

    def clusters(*extra: str) -> set[str]:
        call_command("resolve_file", str(source), "--output", str(target), *extra,
                     stdout=io.StringIO())  # fmt: skip
        with target.open(encoding="utf-8") as stream:
            return {r["cluster_id"] for r in csv.DictReader(stream)}

    # Written in August 2021, "33 years" is 1988; counted from today it would be years later.
    assert len(clusters("--as-of", "2021-08-15")) == 1
    assert len(clusters()) == 2


def test_it_refuses_an_as_of_that_is_not_a_date(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    _write(source, SIBLINGS[:1])
    with pytest.raises(CommandError, match="as-of"):
        call_command("resolve_file", str(source), "--output", str(tmp_path / "o.csv"),
                     "--as-of", "last year")  # fmt: skip
