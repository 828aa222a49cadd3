"""Intake step: link every new person record to a person, in real time.

For each record of the incoming request: prepare it (the colleague's
normalisation), derive its blocking keys, fetch the records sharing a key (one
indexed query for the whole request), score each candidate with the trained
weights (`realtime.Scorer`), then decide per record:

- best person at or above the automatic threshold: link to that person (RULE);
- between the thresholds: a new person, and the pair goes to the review queue;
- below: a new person.

Two records of one request are different people (a household), so no person
gets two of them: the stronger link wins, the other goes to review. A record
with nothing to match on is its own person, flagged. A record arriving at intake
is new, so no reviewer decision can name it yet; decisions are respected by
merges (services.person_merge) and by every batch run.

Statements for a request, whatever its size: candidate look-up, candidate
profiles, (rarely) identifiers for an edit-distance level, then bulk inserts of
people, links, profiles, keys and any review items.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings

from haven.intake.models import PersonRecord, Request
from haven.intake.services import IntakeContext

from . import blocking
from .models import Person, PersonLink, ReviewItem
from .realtime import PairScore, Scorer, packaged_scorer
from .records import record_prepare
from .resolve import Thresholds

if TYPE_CHECKING:
    from haven.accounts.models import User

# A new record may look like several people; a reviewer sees at most this many pairs for it.
MAX_REVIEW_PAIRS_PER_RECORD = 3
RULE_AUTO = "intake: match weight at or above the automatic threshold"
RULE_NONE = "intake: no candidate above the review threshold"
RULE_REVIEW = "intake: possible match sent to review"
RULE_GUARD = "intake: best match already taken by another member of this request"
RULE_INSUFFICIENT = "insufficient_identity_data"


@dataclass(frozen=True)
class Option:
    """The best-scoring record of one existing person for one incoming record."""

    person_id: int
    record_id: int
    weight: float


@dataclass
class Outcome:
    record: PersonRecord
    person: Person | None = None
    person_id: int | None = None
    method: str = PersonLink.Method.NEW_PERSON
    rule: str = RULE_NONE
    score: float | None = None
    review: tuple[tuple[Option, str], ...] = ()


def _identifiers_of(record: PersonRecord) -> list[tuple[str, str]]:
    pending = getattr(record, "pending_identifiers", None)
    if pending is not None:
        return [(p.kind, p.as_written) for p in pending]
    return [(i.kind, i.value_as_written) for i in record.identifiers.all()]


def _options(
    incoming: Mapping[int, dict[str, Any]],
    clear_incoming: Mapping[int, dict[str, Any]],
    found: Mapping[int, list[int]],
    keys_of_record: Mapping[int, Iterable[int]],
    candidates: Mapping[int, blocking.Candidate],
    request_id: int,
    scorer: Scorer,
) -> dict[int, list[Option]]:
    """Per incoming record, one option per existing person (its best record), best first."""
    fuzzy = scorer.fuzzy_columns & set(blocking.HASHED_COLUMNS)
    pairs: dict[int, set[int]] = defaultdict(set)
    for record_id, keys in keys_of_record.items():
        for key in keys:
            pairs[record_id].update(c for c in found.get(key, ()) if c in candidates)
    # Identifiers differ but an edit-distance level could still count them: decrypt those few.
    needs_clear = {
        c
        for record_id, cands in pairs.items()
        for c in cands
        for column in fuzzy
        if incoming[record_id].get(column)
        and candidates[c].profile.get(column)
        and incoming[record_id][column] != candidates[c].profile[column]
    }
    clear = blocking.clear_columns_load(needs_clear, fuzzy)
    result: dict[int, list[Option]] = {}
    for record_id, cands in pairs.items():
        best: dict[int, Option] = {}
        for c in cands:
            candidate = candidates[c]
            if candidate.request_id == request_id:
                continue  # a member of the same household
            left, right = candidate.profile, incoming[record_id]
            if c in clear:
                left = {**left, **clear[c]}
                right = {**right, **{col: clear_incoming[record_id].get(col) for col in fuzzy}}
            weight = scorer.weight(left, right)
            if candidate.person_id not in best or weight > best[candidate.person_id].weight:
                best[candidate.person_id] = Option(candidate.person_id, c, weight)
        result[record_id] = sorted(best.values(), key=lambda o: (-o.weight, o.person_id))
    return result


def candidates_score(
    *,
    prepared: Mapping[int, dict[str, Any]],
    profiles: Mapping[int, dict[str, Any]],
    eligible: Iterable[int],
    request_id: int,
    scorer: Scorer,
    rules: tuple[blocking.KeyRule, ...],
) -> tuple[dict[int, list[Option]], dict[int, blocking.Candidate]]:
    """Look-up and scoring for the records of one request (the part intake waits for before it
    writes): per record, one option per existing person, best first."""
    keys_of_record = {pk: blocking.keys_of(profiles[pk], rules) for pk in eligible}
    all_keys = {k: rule for keys in keys_of_record.values() for k, rule in keys.items()}
    found = blocking.candidates_find(all_keys)
    candidates = blocking.candidates_load({c for ids in found.values() for c in ids})
    options = _options(profiles, prepared, found, keys_of_record, candidates, request_id, scorer)
    return options, candidates


def _decide(
    records: list[PersonRecord],
    options: Mapping[int, list[Option]],
    insufficient: set[int],
    thresholds: Thresholds,
) -> list[Outcome]:
    outcomes = {r.pk: Outcome(record=r) for r in records}
    # Strongest first: when two members of a request look like one person, the better link wins.
    order = sorted(records, key=lambda r: -(options.get(r.pk) or [Option(0, 0, -1e9)])[0].weight)
    taken: set[int] = set()
    for record in order:
        outcome = outcomes[record.pk]
        if record.pk in insufficient:
            outcome.rule = RULE_INSUFFICIENT
            continue
        ranked = [o for o in options.get(record.pk, []) if o.weight >= thresholds.review]
        if not ranked:
            continue
        best = ranked[0]
        outcome.score = best.weight
        review: list[tuple[Option, str]] = []
        if best.weight >= thresholds.auto and best.person_id not in taken:
            taken.add(best.person_id)
            outcome.person_id = best.person_id
            outcome.method = PersonLink.Method.RULE
            outcome.rule = RULE_AUTO
            rest = ranked[1:]
        elif best.weight >= thresholds.auto:
            outcome.rule = RULE_GUARD
            review.append((best, "household guard: another member of this request links there"))
            rest = ranked[1:]
        else:
            outcome.rule = RULE_REVIEW
            rest = ranked
        review += [(o, _review_reason(o, thresholds)) for o in rest if o.person_id not in taken]
        outcome.review = tuple(review[:MAX_REVIEW_PAIRS_PER_RECORD])
    return [outcomes[r.pk] for r in records]


def _review_reason(option: Option, thresholds: Thresholds) -> str:
    if option.weight >= thresholds.auto:
        # The record linked elsewhere and matches this person as strongly: the two people may
        # be one, which only a reviewer may decide.
        return "also a strong match for a second person"
    return "between the thresholds"


def thresholds_for(records: list[PersonRecord]) -> Thresholds:
    """settings.HAVEN_RESOLUTION_THRESHOLDS ({"auto": .., "review": ..}) if set, else the
    matcher's own, scaled to the number of records (the newest id: no count over the table)."""
    configured = getattr(settings, "HAVEN_RESOLUTION_THRESHOLDS", None)
    if configured:
        return Thresholds(auto=float(configured["auto"]), review=float(configured["review"]))
    thresholds = Thresholds()
    scale = getattr(thresholds, "for_records", None)
    return scale(max(r.pk for r in records)) if scale else thresholds


def records_link(
    *,
    request: Request,
    records: list[PersonRecord],
    actor: User | None,
    scorer: Scorer | None = None,
    rules: tuple[blocking.KeyRule, ...] | None = None,
    thresholds: Thresholds | None = None,
) -> dict[int, Person]:
    """Link each record of one request to a person; returns record id → person."""
    if not records:
        return {}
    scorer = scorer or packaged_scorer()
    rules = rules if rules is not None else blocking.packaged_key_rules()
    thresholds = thresholds or thresholds_for(records)
    today = request.received_at.date()
    prepared = {
        r.pk: record_prepare(blocking.record_row(r, _identifiers_of(r)), today=today)
        for r in records
    }
    profiles = {pk: blocking.profile_build(p) for pk, p in prepared.items()}
    insufficient = {pk for pk, p in prepared.items() if blocking.profile_is_insufficient(p)}
    options, candidates = candidates_score(
        prepared=prepared,
        profiles=profiles,
        eligible=[pk for pk in profiles if pk not in insufficient],
        request_id=request.pk,
        scorer=scorer,
        rules=rules,
    )
    outcomes = _decide(records, options, insufficient, thresholds)

    new_people = Person.objects.bulk_create(
        [Person(display_name=o.record.display_name[:300]) for o in outcomes if o.person_id is None]
    )
    fresh = iter(new_people)
    existing = (
        {
            p.pk: p
            for p in Person.objects.filter(pk__in=[o.person_id for o in outcomes if o.person_id])
        }
        if any(o.person_id for o in outcomes)
        else {}
    )
    for outcome in outcomes:
        outcome.person = existing[outcome.person_id] if outcome.person_id else next(fresh)
    PersonLink.objects.bulk_create(
        [
            PersonLink(
                person_record=o.record,
                person=o.person,
                method=o.method,
                rule=o.rule,
                score=o.score,
                created_by=actor,
            )
            for o in outcomes
        ]
    )
    blocking.profiles_store({pk: (profiles[pk], pk in insufficient) for pk in profiles}, rules)
    _review_items_create(outcomes, profiles, prepared, candidates, scorer)
    return {o.record.pk: o.person for o in outcomes if o.person is not None}


def _review_items_create(
    outcomes: list[Outcome],
    profiles: Mapping[int, dict[str, Any]],
    prepared: Mapping[int, dict[str, Any]],
    candidates: Mapping[int, blocking.Candidate],
    scorer: Scorer,
) -> None:
    wanted = [(o.record.pk, option, reason) for o in outcomes for option, reason in o.review]
    if not wanted:
        return
    fuzzy = scorer.fuzzy_columns & set(blocking.HASHED_COLUMNS)
    clear = blocking.clear_columns_load({option.record_id for _, option, _ in wanted}, fuzzy)
    items = []
    for record_id, option, reason in wanted:
        existing = {**candidates[option.record_id].profile, **clear.get(option.record_id, {})}
        incoming = {**profiles[record_id], **{c: prepared[record_id].get(c) for c in fuzzy}}
        explained: PairScore = scorer.score(existing, incoming)
        a, b = sorted((option.record_id, record_id))
        items.append(
            ReviewItem(
                record_a_id=a,
                record_b_id=b,
                score=explained.weight,
                details=explained.as_json(),
                reason=reason[:100],
                source=ReviewItem.Source.INTAKE,
            )
        )
    ReviewItem.objects.bulk_create(items, ignore_conflicts=True)


def resolve_request_people(
    *, request: Request, records: list[PersonRecord], actor: User | None, context: IntakeContext
) -> None:
    context.people_by_record.update(records_link(request=request, records=records, actor=actor))
