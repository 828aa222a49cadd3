"""Household evidence across requests, where the requests are known.

Two requests that share a person (an automatic link between one member of each) very
likely describe the same family. Within such a pair of requests, the chance that two
members are the same person is about one in the number of members, not one in the
number of records in the whole file, so the same field agreements that mean little
between strangers ("Fatima", born 1990) are strong evidence there. Each member pair
of two linked requests is scored with the model's field weights and this household
prior instead of the file-wide one, and linked one to one, best first.

Only with requests known (the application database; resolve-file's optional
request_id column): records of one request stay apart by the household guard, and
the year-span guard still applies when clusters are built.
"""

from __future__ import annotations

import logging
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeVar

from .guards import Edge
from .realtime import Scorer, UnsupportedCondition, frozen

logger = logging.getLogger(__name__)
K = TypeVar("K")
V = TypeVar("V")

# Two linked requests of about five members each: a given cross pair is the same person
# about one time in four.
HOUSEHOLD_PRIOR = math.log2(1 / 4)
# The weight (with that prior) a cross pair needs: about 98.5% probability.
HOUSEHOLD_THRESHOLD = 6.0
# A request naming more people than this is a list, not a household: no evidence from it.
MAX_MEMBERS = 15


def household_edges(
    records: Sequence[Mapping[str, Any]],
    groups: Mapping[str, str | None],
    links: Sequence[Edge],
    trained_model: Mapping[str, Any],
    *,
    threshold: float = HOUSEHOLD_THRESHOLD,
) -> list[Edge]:
    """Links between members of requests that an automatic link already joins."""
    members: dict[str, list[str]] = defaultdict(list)
    profiles: dict[str, dict[str, Any]] = {}
    for record in records:
        record_id = str(record["unique_id"])
        group = groups.get(record_id)
        if group:
            members[group].append(record_id)
            profiles[record_id] = frozen(record)
    linked = {
        tuple(sorted((ga, gb)))
        for edge in links
        if (ga := groups.get(edge.left)) and (gb := groups.get(edge.right)) and ga != gb
    }
    try:
        scorer = Scorer(trained_model)
    except UnsupportedCondition:
        # A model whose comparisons the interpreter cannot read: no household evidence.
        logger.warning("Household evidence skipped: the model uses SQL the scorer cannot read")
        return []
    edges: list[Edge] = []
    for ga, gb in sorted(linked):
        left, right = members.get(ga, []), members.get(gb, [])
        if not left or not right or len(left) > MAX_MEMBERS or len(right) > MAX_MEMBERS:
            continue
        edges += _one_to_one(left, right, profiles, scorer, threshold)
    return edges


def household_weight(scorer: Scorer, left: Mapping[str, Any], right: Mapping[str, Any]) -> float:
    """The pair's match weight with the household prior in place of the model's."""
    return scorer.weight(left, right) - scorer.prior + HOUSEHOLD_PRIOR


def one_to_one(
    scored: Iterable[tuple[float, K, V]], taken: Iterable[K | V] = ()
) -> list[tuple[float, K, V]]:
    """Pairs in the order given (best first), each side used once: a member is at most one
    member of the other request. `taken` are sides already used (people linked another way)."""
    used: set[Any] = set(taken)
    chosen = []
    for weight, a, b in scored:
        if a in used or b in used:
            continue
        used |= {a, b}
        chosen.append((weight, a, b))
    return chosen


def _one_to_one(
    left: list[str],
    right: list[str],
    profiles: Mapping[str, dict[str, Any]],
    scorer: Scorer,
    threshold: float,
) -> list[Edge]:
    scored = [
        (weight, a, b)
        for a in left
        for b in right
        if (weight := household_weight(scorer, profiles[a], profiles[b])) >= threshold
    ]
    return [Edge(a, b, weight) for weight, a, b in one_to_one(sorted(scored, reverse=True))]
