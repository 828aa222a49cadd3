"""Household evidence at intake: when one member of an incoming request links to a person,
the other members are compared with the members of the request that person came from,
under a household's prior (see `households`): the wife "Fatima, 1990" of a family already
known is linked, where between strangers her name and year would mean little.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from . import blocking
from .households import HOUSEHOLD_THRESHOLD, MAX_MEMBERS, household_weight, one_to_one
from .realtime import Scorer

RULE_HOUSEHOLD = "intake: same household as a member already linked"


def members_link(
    outcomes: Iterable[Any],
    members: Iterable[blocking.Candidate],
    profiles: Mapping[int, dict[str, Any]],
    scorer: Scorer,
    *,
    linked_method: str,
    skip_rules: frozenset[str],
) -> int:
    """Link still-unlinked outcomes (pipeline.LinkOutcome) to members of the requests their
    household linked to, one to one, best first; returns how many were linked."""
    outcomes = list(outcomes)
    members = list(members)
    if not members or len(members) > MAX_MEMBERS * 4:
        return 0  # nothing to compare, or lists rather than households
    taken = {o.person_id for o in outcomes if o.person_id is not None}
    open_ = {o.record.pk: o for o in outcomes if o.person_id is None and o.rule not in skip_rules}
    scored = [
        (weight, record_pk, member.person_id)
        for record_pk in open_
        for member in members
        if member.person_id not in taken
        and (weight := household_weight(scorer, member.profile, profiles[record_pk]))
        >= HOUSEHOLD_THRESHOLD
    ]
    # Record ids and person ids are both ints: mark the taken people apart from records.
    chosen = one_to_one(
        (
            (w, ("record", r), ("person", p))
            for w, r, p in sorted(scored, key=lambda s: (-s[0], s[1]))
        ),
        taken=[("person", p) for p in taken],
    )
    for weight, (_, record_pk), (_, person_id) in chosen:
        outcome = open_[record_pk]
        outcome.person_id = person_id
        outcome.method = linked_method
        outcome.rule = RULE_HOUSEHOLD
        outcome.score = weight
        outcome.review = tuple(r for r in outcome.review if r[0].person_id != person_id)
    return len(chosen)
