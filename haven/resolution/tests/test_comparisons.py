"""Comparison levels and size-aware thresholds, checked on the SQL Splink will run."""

from __future__ import annotations

from typing import Any

import duckdb
import pytest

from haven.resolution.comparisons import father_comparison
from haven.resolution.records import record_prepare
from haven.resolution.resolve import Thresholds


def _level(comparison: dict[str, Any], left: dict[str, Any], right: dict[str, Any]) -> str:
    """The label of the first level whose SQL holds for the pair (Splink's order)."""
    columns = sorted({k for k in left if k not in ("flags", "_dob_text")})
    row = {f"{c}_l": left[c] for c in columns} | {f"{c}_r": right[c] for c in columns}
    connection = duckdb.connect()
    params = list(row.values())
    placeholders = ", ".join(f"? AS {name}" for name in row)
    connection.execute(f"CREATE TABLE pair AS SELECT {placeholders}", params)
    for level in comparison["comparison_levels"]:
        condition = level["sql_condition"]
        if condition == "ELSE":
            return str(level["label_for_charts"])
        query = f"SELECT ({condition}) FROM pair"
        if connection.execute(query).fetchone() == (True,):
            return str(level["label_for_charts"])
    raise AssertionError("no level matched")


def _record(**fields: str) -> dict[str, Any]:
    return record_prepare({"record_id": "x", **fields})


def test_a_surname_that_repeats_the_fathers_name_is_said_once() -> None:
    with_surname = _record(given_name="Tariq", family_name="Reza", father_name="Reza")
    without = _record(given_name="Tarek", father_name="Reza")
    full = _record(full_name="Tariq Reza", father_name="Reza")
    assert with_surname["name_key"] == without["name_key"] == full["name_key"] == "tarik"


def test_a_fathers_name_given_as_surname_agrees_with_the_father_field() -> None:
    as_surname = _record(given_name="Tariq", family_name="Reza")
    father = _record(given_name="Tarek", father_name="Reza")
    assert _level(father_comparison(), as_surname, father) == "father's name given as a surname"


def test_a_shared_name_part_is_not_a_fathers_name_as_surname() -> None:
    # Reza Karimi's own name is not Tariq: "Reza" here is not Tariq's father's name.
    other = _record(given_name="Reza", family_name="Karimi")
    father = _record(given_name="Tariq", father_name="Reza")
    assert _level(father_comparison(), other, father) == "missing"


@pytest.mark.parametrize(("n", "rise"), [(500, 0.0), (10_000, 0.0), (80_000, 0.9)])
def test_thresholds_rise_with_the_number_of_records(n: int, rise: float) -> None:
    base = Thresholds()
    scaled = base.for_records(n)
    assert scaled.auto == pytest.approx(base.auto + rise)
    assert scaled.review == pytest.approx(base.review + rise)
    fixed = Thresholds(auto=6, review=3, reference_records=None)
    assert fixed.for_records(n) == fixed
