"""Household evidence at intake: when one member of an incoming request links to a person,
the other members are compared with the members of the request that person came from,
under a household's prior (see `households`): the wife "Fatima, 1990" of a family already
known is linked, where between strangers her name and year would mean little.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from . import blocking
from .households import HOUSEHOLD_PRIOR, HOUSEHOLD_THRESHOLD, MAX_MEMBERS
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
    """Link still-unlinked outcomes to members of the requests their household linked to,
    one to one, best first; returns how many were linked."""
    outcomes = list(outcomes)
    members = list(members)
    if not members or len(members) > MAX_MEMBERS * 4:
        return 0  # nothing to compare, or lists rather than households
    taken = {o.person_id for o in outcomes if o.person_id is not None}
    open_ = [o for o in outcomes if o.person_id is None and o.rule not in skip_rules]
    scored = []
    for outcome in open_:
        profile = profiles[outcome.record.pk]
        for member in members:
            if member.person_id in taken:
                continue
            weight = scorer.weight(member.profile, profile) - scorer.prior + HOUSEHOLD_PRIOR
            if weight >= HOUSEHOLD_THRESHOLD:
                scored.append((weight, outcome.record.pk, member))
    by_record = {o.record.pk: o for o in open_}
    linked = 0
    for weight, record_pk, member in sorted(scored, key=lambda s: (-s[0], s[1])):
        outcome = by_record[record_pk]
        if outcome.person_id is not None or member.person_id in taken:
            continue
        taken.add(member.person_id)
        outcome.person_id = member.person_id
        outcome.method = linked_method
        outcome.rule = RULE_HOUSEHOLD
        outcome.score = weight
        outcome.review = tuple(r for r in outcome.review if r[0].person_id != member.person_id)
        linked += 1
    return linked
