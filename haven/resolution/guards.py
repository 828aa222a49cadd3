"""Guards against the two ways automatic matching goes badly wrong at scale.

1. Placeholder values: a sponsor's phone on 500 rows, "1/1/1990" typed for
   everyone whose date is unknown, a passport field filled with "123456789".
   A value far more common than the field allows is no evidence at all: it is
   removed before matching and reported.
2. Giant clusters: chains of links that join people no one would call the
   same. Clustering merges the strongest links first, refuses any merge that
   would put two members of one request (a household) together, and caps the
   size of a cluster; refused links go to review.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

# How many records may share one value before it is treated as a placeholder.
# Identity documents: a person is rarely submitted more than a handful of times.
# Phones: a household of 10 submitted three times is 30 rows, so allow more.
_CAPS = {"passport": 12, "tazkira": 12, "siv": 12, "email": 12, "phone": 40}
# An exact date is shared by about n / (365 * 60) people by chance; allow ten times that.
_DOB_CHANCE_DIVISOR = 365 * 60
MAX_CLUSTER_SIZE = 30
# One person's birth years as written differ by an age rounded, a Solar Hijri year
# straddling two Gregorian ones: a little. A cluster whose years span more than this is
# two people (a mother and daughter both called Fatima, sharing a phone), not one...
MAX_YEAR_SPAN = 2
# ...unless the years fall in two such groups a decade apart: the tens digit mistyped or
# misread (1964 / 1974), which the date comparison counts as agreement ("year mistyped").
# No mother and daughter, nor father and son, are ten years apart.
DECADE_TYPO = 10


def _dob_cap(n: int) -> int:
    return max(25, 10 * n // _DOB_CHANCE_DIVISOR)


def _year_cap(n: int) -> int:
    # "1/1/YYYY" as written is shared by about n * 15% / 60 years, twice that at the peak
    # years: n / 200. Eight times that is a default typed for everyone, not a birthday.
    return max(50, n // 25)


@dataclass
class PlaceholderReport:
    dropped: dict[str, list[tuple[str, int]]] = field(default_factory=dict)

    @property
    def total_values(self) -> int:
        return sum(len(v) for v in self.dropped.values())


def placeholders_remove(records: Sequence[dict[str, Any]]) -> PlaceholderReport:
    """Blank, in place, every value shared by more records than its field allows."""
    report = PlaceholderReport()
    n = len(records)
    caps = {**_CAPS, "dob_exact": _dob_cap(n)}
    present = set(records[0]) if records else set()
    for column, cap in caps.items():
        if column not in present:
            continue
        counts = Counter(r[column] for r in records if r[column])
        common = {value: c for value, c in counts.items() if c > cap}
        if not common:
            continue
        report.dropped[column] = sorted(common.items(), key=lambda vc: -vc[1])
        for record in records:
            if record[column] in common:
                _blank(record, column)
    _year_defaults_remove(records, report, _year_cap(n))
    return report


def _blank(record: dict[str, Any], column: str) -> None:
    record[column] = None
    if column == "dob_exact":
        record["dob_year"] = record["dob_month"] = record["dob_day"] = None
    record["flags"].append(f"placeholder_{column}")


def _year_defaults_remove(
    records: Sequence[dict[str, Any]], report: PlaceholderReport, cap: int
) -> None:
    """ "1/1/1990" on hundreds of rows arrives as year-only 1990: catch it by its raw text."""
    counts = Counter(
        r["_dob_text"] for r in records if r.get("_dob_text") and not r.get("dob_exact")
    )
    common = {text: c for text, c in counts.items() if c > cap and not text.isdigit()}
    if not common:
        return
    report.dropped["date_of_birth"] = sorted(common.items(), key=lambda vc: -vc[1])
    for record in records:
        if record.get("_dob_text") in common:
            _blank(record, "dob_exact")


@dataclass(frozen=True)
class Edge:
    left: str
    right: str
    weight: float


@dataclass
class Clustering:
    cluster_of: dict[str, str]
    # Links above the automatic threshold that a guard refused: they go to review.
    refused: list[Edge]


class _Clusters:
    """Union-find that keeps each cluster's size and the requests its members came from."""

    def __init__(self, groups: Mapping[str, str | None], years: Mapping[str, int | None]):
        self.parent: dict[str, str] = {}
        self.size: dict[str, int] = {}
        self.groups: dict[str, set[str]] = {}
        # Each cluster's birth years, where any is known.
        self.years: dict[str, frozenset[int]] = {}
        self._group_of = groups
        self._year_of = years

    def find(self, node: str) -> str:
        if node not in self.parent:
            self.parent[node] = node
            self.size[node] = 1
            group = self._group_of.get(node)
            self.groups[node] = {group} if group else set()
            year = self._year_of.get(node)
            if year is not None:
                self.years[node] = frozenset((int(year),))
        root = node
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[node] != root:  # path compression
            self.parent[node], node = root, self.parent[node]
        return root

    def try_union(self, a: str, b: str, max_size: int) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        if self.groups[ra] & self.groups[rb] or self.size[ra] + self.size[rb] > max_size:
            return False
        years = self.years.get(ra, frozenset()) | self.years.get(rb, frozenset())
        if not years_of_one_person(years):
            return False
        if self.size[ra] < self.size[rb]:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.size[ra] += self.size[rb]
        self.groups[ra] |= self.groups.pop(rb)
        self.years.pop(rb, None)
        if years:
            self.years[ra] = years
        return True


def years_of_one_person(years: frozenset[int]) -> bool:
    """Within MAX_YEAR_SPAN of each other, or two such groups DECADE_TYPO years apart."""
    if not years or max(years) - min(years) <= MAX_YEAR_SPAN:
        return True
    ordered = sorted(years)
    gap = max(range(len(ordered) - 1), key=lambda i: ordered[i + 1] - ordered[i])
    low, high = ordered[: gap + 1], ordered[gap + 1 :]
    return (
        low[-1] - low[0] <= MAX_YEAR_SPAN
        and high[-1] - high[0] <= MAX_YEAR_SPAN
        and high[0] - low[-1] >= DECADE_TYPO - MAX_YEAR_SPAN
        and high[-1] - low[0] <= DECADE_TYPO + MAX_YEAR_SPAN
    )


def clusters_build(
    edges: Iterable[Edge],
    *,
    groups: Mapping[str, str | None] | None = None,
    max_size: int = MAX_CLUSTER_SIZE,
    years: Mapping[str, int | None] | None = None,
) -> Clustering:
    """Greedy clustering, strongest link first, under the household, size and year guards.

    `groups` maps a record to the request it came from: two records of one request
    describe different people, so they are never put in one cluster. `years` maps a
    record to its birth year: a cluster's years stay those of one person
    (`years_of_one_person`).
    """
    clusters = _Clusters(groups or {}, years or {})
    refused: list[Edge] = []
    for edge in sorted(edges, key=lambda e: -e.weight):
        if not clusters.try_union(edge.left, edge.right, max_size):
            refused.append(edge)
    return Clustering({node: clusters.find(node) for node in list(clusters.parent)}, refused)
