"""Real-time scoring reads each comparison level's SQL as DuckDB would (sql_conditions).

Every level of every model Haven scores with (the packaged model, the comparisons
`haven resolve` trains, the FEBRL benchmark's) is evaluated on the same synthetic pairs by
DuckDB, as the batch path does through Splink, and by the Python translation: the verdict
(does the pair reach the level?) must be the same for every pair.
"""

from __future__ import annotations

import itertools
import random
from typing import Any

import duckdb
import pyarrow as pa
import pytest

from haven.resolution import comparisons, febrl, heldout, model, records
from haven.resolution.realtime import Scorer, frozen
from haven.resolution.sql_conditions import UnsupportedCondition, condition_compile

Pair = tuple[dict[str, Any], dict[str, Any]]


def _with_gaps(pairs: list[Pair], rng: random.Random) -> list[Pair]:
    """The pairs again with values blanked at random: the NULL branches of every level."""
    gapped = []
    for left, right in pairs:
        gapped.append(
            (
                {k: None if rng.random() < 0.2 else v for k, v in left.items()},
                {k: None if rng.random() < 0.2 else v for k, v in right.items()},
            )
        )
    return gapped


def _pairs_of(people: list[dict[str, Any]], rng: random.Random) -> list[Pair]:
    # Neighbours are mostly the same person written again (both generators write duplicates
    # next to each other); random pairs are mostly different people.
    near = list(itertools.pairwise(people))
    far = [(rng.choice(people), rng.choice(people)) for _ in range(len(people))]
    pairs = near + far
    return pairs + _with_gaps(pairs, rng)


def _written_again(person: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """The person as another office might write them: the birth year off by one or by ten
    (a digit misread), the SIV case and e-mail the generator rarely fills in."""
    again = dict(person)
    if again.get("dob_year"):
        again["dob_year"] += rng.choice((1, -1, 10, -10))
    again["siv"] = person["siv"] = person.get("siv") or f"SIV-{rng.randrange(40):04d}"
    again["email"] = person["email"] = person.get("email") or f"p{rng.randrange(40)}@example.org"
    return again


@pytest.fixture(scope="module")
def haven_pairs() -> list[Pair]:
    rng = random.Random(12)
    prepared = [records.record_prepare(row) for row in heldout.heldout_records(700, seed=12)]
    people = [{c: p.get(c) for c in records.MATCH_COLUMNS} for p in prepared]
    again = [(person, _written_again(person, rng)) for person in people[:200]]
    return _pairs_of(people, rng) + again


@pytest.fixture(scope="module")
def febrl_pairs() -> list[Pair]:
    rng = random.Random(4)
    people, _ = febrl.febrl_records("febrl3")
    people.sort(key=lambda r: (febrl.truth_of(r["unique_id"]), r["unique_id"]))
    return _pairs_of(people[:1200], rng)


def _levels(comparison_list: list[dict[str, Any]]) -> list[str]:
    return [
        level["sql_condition"]
        for comparison in comparison_list
        for level in comparison["comparison_levels"]
        if level["sql_condition"].strip().upper() != "ELSE"
    ]


def _duckdb_verdicts(conditions: list[str], pairs: list[Pair]) -> list[list[bool]]:
    """Per condition, per pair: whether DuckDB finds the condition true (NULL is not)."""
    columns = sorted({c for left, _ in pairs for c in left} - {"unique_id", "flags"})
    table = pa.table(
        {
            f"{c}_{side}": [pair[i].get(c) for pair in pairs]
            for c in columns
            for i, side in ((0, "l"), (1, "r"))
        }
    )
    connection = duckdb.connect()
    connection.register("pairs", table)
    verdicts = []
    for sql in conditions:
        rows = connection.execute(f"SELECT coalesce(({sql}), false) FROM pairs").fetchall()
        verdicts.append([bool(value) for (value,) in rows])
    return verdicts


def _python_verdicts(conditions: list[str], pairs: list[Pair]) -> list[list[bool]]:
    evaluators = [condition_compile(sql)[0] for sql in conditions]
    # As intake scores them: lists as tuples (realtime.frozen).
    frozen_pairs = [(frozen(left), frozen(right)) for left, right in pairs]
    return [[bool(e(left, right)) for left, right in frozen_pairs] for e in evaluators]


@pytest.mark.parametrize(
    ("which", "levels_of"),
    [
        ("packaged", lambda: _levels(model.packaged_model()["comparisons"])),
        ("trained by haven resolve", lambda: _levels(comparisons.haven_comparisons())),
    ],
)
def test_every_level_of_haven_s_models_gives_duckdb_s_verdict(haven_pairs, which, levels_of):
    conditions = levels_of()
    expected = _duckdb_verdicts(conditions, haven_pairs)
    found = _python_verdicts(conditions, haven_pairs)
    for sql, duck, ours in zip(conditions, expected, found, strict=True):
        assert ours == duck, sql
    # The pairs reach most levels, and miss each: the verdicts compared are not all one way.
    assert [c for c, v in zip(conditions, expected, strict=True) if not any(v)] == []
    assert not any(all(v) for v in expected)


def test_every_level_of_the_febrl_model_gives_duckdb_s_verdict(febrl_pairs):
    conditions = _levels(febrl.febrl_spec().comparisons)
    expected = _duckdb_verdicts(conditions, febrl_pairs)
    found = _python_verdicts(conditions, febrl_pairs)
    for sql, duck, ours in zip(conditions, expected, found, strict=True):
        assert ours == duck, sql
    assert all(any(v) for v in expected)
    assert not any(all(v) for v in expected)


@pytest.mark.parametrize(
    ("sql", "left", "right", "verdict"),
    [
        # SQL's three values: NULL in an OR, an AND and a NOT.
        ("a_l = a_r OR b_l = b_r", {"a": None, "b": 1}, {"a": 1, "b": 1}, True),
        ("a_l = a_r OR b_l = b_r", {"a": None, "b": 1}, {"a": 1, "b": 2}, None),
        ("a_l = a_r AND b_l = b_r", {"a": None, "b": 1}, {"a": 1, "b": 2}, False),
        ("NOT (a_l = a_r)", {"a": None}, {"a": 1}, None),
        ("a_l IS NOT NULL AND a_r IS NULL", {"a": "x"}, {"a": None}, True),
        ("abs(a_l - a_r) IN (1, 10)", {"a": 1991}, {"a": 1981}, True),
        ("-a_l + 1.5 > a_r", {"a": 1}, {"a": 0}, True),
        ("substr(a_l, 1, 2) = substring(a_r, 1, 2)", {"a": "kabul"}, {"a": "kandahar"}, True),
        ("coalesce(a_l, a_r) = 'it''s'", {"a": None}, {"a": "it's"}, True),
        ("len(list_intersect(t_l, t_r)) >= 1", {"t": ("a", "b")}, {"t": ("b",)}, True),
        ("lower(a_l) = lower(a_r)", {"a": "Wali"}, {"a": "WALI"}, True),
    ],
)
def test_conditions_are_read_as_sql_means_them(sql, left, right, verdict):
    evaluator, _, _ = condition_compile(sql)
    assert evaluator(left, right) is verdict


def test_the_columns_read_inside_functions_are_told_apart():
    _, columns, in_functions = condition_compile(
        "passport_l = passport_r OR levenshtein(tazkira_l, tazkira_r) <= 1"
    )
    assert columns == {"passport", "tazkira"}
    assert in_functions == {"tazkira"}


@pytest.mark.parametrize(
    "sql",
    [
        "soundex(name_key_l) = soundex(name_key_r)",  # a function Haven does not evaluate
        "metaphone(name_key_l) = 1",  # one sqlglot does not know either
        "name_key_l LIKE 'a%'",
        "dob_year_l * 2 > dob_year_r",
        "l.name_key = r.name_key",  # Splink's blocking-rule style, not a level's
        "name_key = name_key_r",
        "sex_l IS TRUE",
        "sex_l IN (SELECT 1)",
        "jaro_winkler_similarity(name_key_l, name_key_r",
    ],
)
def test_what_it_cannot_read_is_refused_when_the_model_loads(sql):
    with pytest.raises(UnsupportedCondition):
        condition_compile(sql)
    broken = model.packaged_model()
    broken["comparisons"][0]["comparison_levels"][1]["sql_condition"] = sql
    with pytest.raises(UnsupportedCondition):
        Scorer(broken)
