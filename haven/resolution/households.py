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
from collections.abc import Mapping, Sequence
from typing import Any

from .guards import Edge
from .realtime import Scorer, UnsupportedCondition, frozen

logger = logging.getLogger(__name__)

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


def _one_to_one(
    left: list[str],
    right: list[str],
    profiles: Mapping[str, dict[str, Any]],
    scorer: Scorer,
    threshold: float,
) -> list[Edge]:
    scored = []
    for a in left:
        for b in right:
            weight = scorer.weight(profiles[a], profiles[b]) - scorer.prior + HOUSEHOLD_PRIOR
            if weight >= threshold:
                scored.append((weight, a, b))
    taken: set[str] = set()
    edges = []
    for weight, a, b in sorted(scored, reverse=True):
        if a in taken or b in taken:
            continue  # a member is at most one member of the other request
        taken |= {a, b}
        edges.append(Edge(a, b, weight))
    return edges
