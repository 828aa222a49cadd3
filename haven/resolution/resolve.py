"""Resolve a batch of records: score candidate pairs, then decide auto / review / single.

Above the upper threshold a pair is linked automatically; between the two it
goes to a person (review); below, nothing. A false merge is worse than a missed
one, so the upper threshold is high and every guard errs towards review.
"""

from __future__ import annotations

import logging
import math
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from . import guards, households, model
from .records import INSUFFICIENT, MATCH_COLUMNS

logger = logging.getLogger(__name__)

AUTO = "auto"
REVIEW = "review"
SINGLE = "single"


# How much higher the thresholds go per doubling of the records beyond `reference_records`.
# The trained prior already falls as 1/n, but namesakes (one common name, father and birth
# year) are not independent of each other, so weights overstate a match a little more at
# every doubling: measured 0.3 bits per doubling from 10,000 to 1,000,000 records.
SIZE_SLOPE = 0.3


@dataclass(frozen=True)
class Thresholds:
    """Match weights (log2 of the Bayes factor times the prior odds).

    `auto` and `review` hold for `reference_records` records; for larger inputs both
    rise by SIZE_SLOPE bits per doubling (see `for_records`), so precision holds at a
    million. `reference_records=None` uses them as given.
    """

    # 2^4 : 1 posterior odds (match probability 0.94) after the prior for a random pair;
    # measured precision of automatic links at this level is above 0.99 (docs/resolution.md).
    # The batch weights would now allow 3.0 (docs/resolution.md), but real-time intake
    # scores with the packaged model without term frequencies under this same default.
    auto: float = 4.0
    # 2^2.5 : 1 odds (0.85): worth a person's look; keeps the queue under 5% of records.
    review: float = 2.5
    reference_records: int | None = 10_000

    def for_records(self, n: int) -> Thresholds:
        """The thresholds for an input of n records (never lower than at the reference)."""
        if self.reference_records is None or n <= self.reference_records:
            return self
        rise = SIZE_SLOPE * math.log2(n / self.reference_records)
        return replace(self, auto=self.auto + rise, review=self.review + rise)


@dataclass
class Resolution:
    cluster_of: dict[str, str]
    decision: dict[str, str]
    flags: dict[str, list[str]]
    placeholders: guards.PlaceholderReport
    pairs: pd.DataFrame
    refused: list[guards.Edge] = field(default_factory=list)
    trained_on_input: bool = False

    def summary(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for decision in self.decision.values():
            counts[decision] += 1
        counts["insufficient_identity_data"] = sum(
            INSUFFICIENT in flags for flags in self.flags.values()
        )
        counts["placeholder_values_removed"] = self.placeholders.total_values
        counts["links_refused_by_guards"] = len(self.refused)
        counts["clusters"] = len(set(self.cluster_of.values()))
        return dict(counts)


def records_resolve(
    records: Sequence[dict[str, Any]],
    *,
    spec: model.ModelSpec | None = None,
    trained_model: dict[str, Any] | None = None,
    thresholds: Thresholds | None = None,
    groups: Mapping[str, str | None] | None = None,
    columns: Sequence[str] = MATCH_COLUMNS,
) -> Resolution:
    """Resolve prepared records (see `records.record_prepare`); the records' values may be blanked
    by the placeholder guard, with a flag saying so."""
    spec = spec or model.haven_spec()
    thresholds = thresholds or Thresholds()
    placeholders = guards.placeholders_remove(records)
    eligible = [r for r in records if INSUFFICIENT not in r["flags"]]
    if "name_first_rare" in columns:
        rare_values_mark(eligible)
    frame = model.frame_build(eligible, columns)
    trained = trained_model is None and len(eligible) >= model.MIN_RECORDS_TO_TRAIN
    if trained_model is None:
        trained_model = model.model_train(frame, spec) if trained else model.packaged_model()
    thresholds = thresholds.for_records(len(eligible))
    pairs = model.pairs_score(frame, trained_model, min_weight=thresholds.review)
    auto_pairs = pairs[pairs["match_weight"] >= thresholds.auto]
    edges = [
        guards.Edge(str(a), str(b), float(w))
        for a, b, w in auto_pairs[["unique_id_l", "unique_id_r", "match_weight"]].itertuples(
            index=False
        )
    ]
    if groups:
        edges += households.household_edges(eligible, groups, edges, trained_model)
    years = {str(r["unique_id"]): r.get("dob_year") for r in eligible}
    clustering = guards.clusters_build(edges, groups=groups, years=years)
    ids = [str(r["unique_id"]) for r in records]
    cluster_of, decision = _decide(ids, pairs, clustering)
    return Resolution(
        cluster_of=cluster_of,
        decision=decision,
        flags={str(r["unique_id"]): list(r["flags"]) for r in records},
        placeholders=placeholders,
        pairs=pairs,
        refused=clustering.refused,
        trained_on_input=trained,
    )


# (column, its frequency-capped copy, records per value allowed as n // divisor, floor)
_RARE_COLUMNS = (
    ("father_cons", "father_rare", 200, 50),
    ("name_cons", "name_cons_rare", 5000, 20),
)


# Records per (first name, birth year) block: at most about n * FIRST_YEAR_CAP / 2 pairs.
FIRST_YEAR_CAP = 40


def rare_values_mark(records: Sequence[dict[str, Any]]) -> None:
    """Copies of a few columns with their most common values removed, for blocking only.

    "Mohammad" + birth year would pair thousands of records at a million rows; a
    rarer first name + birth year is a cheap way to find pairs whose other fields
    were all written differently.
    """
    for column, rare, divisor, floor in _RARE_COLUMNS:
        counts = Counter(r[column] for r in records if r[column])
        cap = max(floor, len(records) // divisor)
        for record in records:
            value = record[column]
            record[rare] = value if value and counts[value] <= cap else None
    # The first name is only ever blocked on together with the birth year, so it is the
    # pair that is capped: "Ismail, 2005" is a small block at any size, "Mohammad, 1990"
    # is a small block in ten thousand records and a giant one in a million.
    pairs = Counter((r["name_first"], r["dob_year"]) for r in records if r["name_first"])
    for record in records:
        key = (record["name_first"], record["dob_year"])
        small = record["name_first"] and record["dob_year"] and pairs[key] <= FIRST_YEAR_CAP
        record["name_first_rare"] = record["name_first"] if small else None


def _decide(
    ids: Sequence[str], pairs: pd.DataFrame, clustering: guards.Clustering
) -> tuple[dict[str, str], dict[str, str]]:
    members: dict[str, list[str]] = defaultdict(list)
    for record_id, root in clustering.cluster_of.items():
        members[root].append(record_id)
    # A cluster is named after its smallest record id: stable across runs of the same input.
    name_of_root = {root: min(ids_) for root, ids_ in members.items()}
    reviewed = _has_pair(pairs)
    cluster_of: dict[str, str] = {}
    decision: dict[str, str] = {}
    for record_id in ids:
        found = clustering.cluster_of.get(record_id)
        if found is not None and len(members[found]) > 1:
            root = found
            cluster_of[record_id] = name_of_root[root]
            decision[record_id] = AUTO
        else:
            cluster_of[record_id] = record_id
            decision[record_id] = REVIEW if record_id in reviewed else SINGLE
    return cluster_of, decision


def _has_pair(pairs: pd.DataFrame) -> set[str]:
    """Records with any pair at or above the review threshold that did not become a link."""
    if pairs.empty:
        return set()
    return set(pairs["unique_id_l"].astype(str)) | set(pairs["unique_id_r"].astype(str))
