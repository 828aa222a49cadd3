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

Intake hands over a batch of requests (one for a walk-in, hundreds for a
spreadsheet chunk or the background worker). Statements for a batch, whatever its
size (up to chunking of very long key lists): candidate look-up, candidate
profiles, identifiers for edit-distance levels, then bulk inserts of people,
links, profiles, keys and any review items. Requests are decided in order, and a
record of the batch is a candidate for every later request of it, exactly as if
they had arrived one by one.
"""

from __future__ import annotations

from collections import ChainMap, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings

from haven.intake.inputs import IdentifiersByRecord
from haven.intake.models import PersonRecord, Request
from haven.intake.services import IntakeItem

from . import blocking, household_intake
from .batch_index import BatchIndex, found_with_batch
from .models import Person, PersonLink, ReviewItem
from .realtime import PairScore, Scorer, Signature, frozen, packaged_scorer
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
class LinkOutcome:
    """What intake matching decided for one incoming record: which person it links to (an
    existing one, or a new one), by which rule and score, and which pairs go to review."""

    record: PersonRecord
    person: Person | None = None
    person_id: int | None = None
    method: str = PersonLink.Method.NEW_PERSON
    rule: str = RULE_NONE
    score: float | None = None
    review: tuple[tuple[Option, str], ...] = ()
    # The existing record an automatic link was made through (its request is the household).
    matched_record: int | None = None


def _identifiers_of(record: PersonRecord, known: IdentifiersByRecord) -> list[tuple[str, str]]:
    """As intake handed them over for records it has just stored, else from the database."""
    if record.pk in known:
        return list(known[record.pk])
    return [(i.kind, i.value_as_written) for i in record.identifiers.all()]


ClearLoader = Callable[[set[int]], Mapping[int, dict[str, Any]]]


def _pairs(
    keys_of_record: Mapping[int, Iterable[int]],
    found: Mapping[int, list[int]],
    candidates: Mapping[int, blocking.Candidate],
) -> dict[int, set[int]]:
    pairs: dict[int, set[int]] = defaultdict(set)
    for record_id, keys in keys_of_record.items():
        for key in keys:
            pairs[record_id].update(c for c in found.get(key, ()) if c in candidates)
    return pairs


def _needs_clear(
    incoming: Mapping[int, dict[str, Any]],
    pairs: Mapping[int, set[int]],
    candidates: Mapping[int, blocking.Candidate],
    fuzzy: Iterable[str],
) -> set[int]:
    """Candidates whose identifiers differ from the incoming record's but an edit-distance
    level could still count them: only these are decrypted."""
    return {
        c
        for record_id, cands in pairs.items()
        for c in cands
        for column in fuzzy
        if incoming[record_id].get(column)
        and candidates[c].profile.get(column)
        and incoming[record_id][column] != candidates[c].profile[column]
    }


def _options(
    incoming: Mapping[int, dict[str, Any]],
    clear_incoming: Mapping[int, dict[str, Any]],
    found: Mapping[int, list[int]],
    keys_of_record: Mapping[int, Iterable[int]],
    candidates: Mapping[int, blocking.Candidate],
    request_id: int,
    scorer: Scorer,
    clear_loader: ClearLoader | None = None,
    signatures: dict[int, Signature] | None = None,
) -> dict[int, list[Option]]:
    """Per incoming record, one option per existing person (its best record), best first.

    `signatures` remembers candidates' scorer signatures across calls (by record id)."""
    fuzzy = scorer.fuzzy_columns & set(blocking.HASHED_COLUMNS)
    pairs = _pairs(keys_of_record, found, candidates)
    needs_clear = _needs_clear(incoming, pairs, candidates, fuzzy)
    if clear_loader is not None:
        clear = clear_loader(needs_clear)
    else:
        clear = blocking.clear_columns_load(needs_clear, fuzzy)
    result: dict[int, list[Option]] = {}
    known = {} if signatures is None else signatures
    for record_id, cands in pairs.items():
        best: dict[int, Option] = {}
        incoming_signature = scorer.signature(incoming[record_id])
        for c in cands:
            candidate = candidates[c]
            if candidate.request_id == request_id:
                continue  # a member of the same household
            left, right = candidate.profile, incoming[record_id]
            if c in clear:
                left = {**left, **clear[c]}
                right = {**right, **{col: clear_incoming[record_id].get(col) for col in fuzzy}}
                weight = scorer.weight(left, right)
            else:
                if c not in known:
                    known[c] = scorer.signature(left)
                weight = scorer.weight(left, right, (known[c], incoming_signature))
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
    """Look-up and scoring for the records of one request against the database (what the
    real-time benchmark times): per record, one option per existing person, best first."""
    keys_of_record = {pk: blocking.keys_of(profiles[pk], rules) for pk in eligible}
    all_keys = {k: rule for keys in keys_of_record.values() for k, rule in keys.items()}
    found = blocking.candidates_find(all_keys)
    candidates = blocking.candidates_load({c for ids in found.values() for c in ids})
    scoring = {pk: frozen(profile) for pk, profile in profiles.items()}
    options = _options(scoring, prepared, found, keys_of_record, candidates, request_id, scorer)
    return options, candidates


def _decide(
    records: list[PersonRecord],
    options: Mapping[int, list[Option]],
    insufficient: set[int],
    thresholds: Thresholds,
) -> list[LinkOutcome]:
    outcomes = {r.pk: LinkOutcome(record=r) for r in records}
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
            outcome.matched_record = best.record_id
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


class _Linker:
    """Links the records of a batch of requests, in order, to people."""

    def __init__(
        self,
        items: list[IntakeItem],
        scorer: Scorer,
        rules: tuple[blocking.KeyRule, ...],
        thresholds: Thresholds,
    ) -> None:
        self.items, self.scorer, self.rules, self.thresholds = items, scorer, rules, thresholds
        self.fuzzy = scorer.fuzzy_columns & set(blocking.HASHED_COLUMNS)
        self.prepared: dict[int, dict[str, Any]] = {}
        for item in items:
            today = item.request.received_at.date()
            for r in item.records:
                row = blocking.record_row(r, _identifiers_of(r, item.identifiers))
                self.prepared[r.pk] = record_prepare(row, today=today)
        self.profiles = {pk: blocking.profile_build(p) for pk, p in self.prepared.items()}
        # The same, with lists as tuples, for the scorer (blocking keys read the originals).
        self.scoring = {pk: frozen(profile) for pk, profile in self.profiles.items()}
        self.insufficient = {
            pk for pk, p in self.prepared.items() if blocking.profile_is_insufficient(p)
        }
        self.keys = {
            pk: blocking.keys_of(profile, rules)
            for pk, profile in self.profiles.items()
            if pk not in self.insufficient
        }
        all_keys = {k: rule for keys in self.keys.values() for k, rule in keys.items()}
        self.stored, self.over_cap = blocking.candidates_find_many(all_keys)
        self.stored_candidates = blocking.candidates_load(
            {c for ids in self.stored.values() for c in ids}
        )
        self.stored_clear = self._stored_clear_load()
        self.index = BatchIndex()
        self.signatures: dict[int, Signature] = {}

    def _stored_clear_load(self) -> dict[int, dict[str, Any]]:
        # Every stored candidate any record of the batch will need in clear, decrypted once.
        keys_of_record = {
            pk: {k: r for k, r in keys.items() if k not in self.over_cap}
            for pk, keys in self.keys.items()
        }
        pairs = _pairs(keys_of_record, self.stored, self.stored_candidates)
        wanted = _needs_clear(self.profiles, pairs, self.stored_candidates, self.fuzzy)
        return blocking.clear_columns_load(wanted, self.fuzzy)

    def _clear(self, wanted: set[int]) -> dict[int, dict[str, Any]]:
        return {
            c: self.index.clear[c] if c in self.index.clear else self.stored_clear[c]
            for c in wanted
            if c in self.index.clear or c in self.stored_clear
        }

    def outcomes(self) -> list[LinkOutcome]:
        """Decide every record, request after request; new people get stand-in ids < 0."""
        decided: list[LinkOutcome] = []
        next_standin = -1
        for item in self.items:
            eligible = [r.pk for r in item.records if r.pk in self.keys]
            keys = {k: rule for pk in eligible for k, rule in self.keys[pk].items()}
            found = found_with_batch(keys, self.stored, self.over_cap, self.index)
            candidates = self.candidates()
            options = _options(
                self.scoring,
                self.prepared,
                found,
                {pk: self.keys[pk] for pk in eligible},
                candidates,
                item.request.pk,
                self.scorer,
                clear_loader=self._clear,
                signatures=self.signatures,
            )
            outcomes = _decide(item.records, options, self.insufficient, self.thresholds)
            self._household(outcomes, candidates)
            for outcome in outcomes:
                if outcome.person_id is None:
                    outcome.person_id, next_standin = next_standin, next_standin - 1
                pk = outcome.record.pk
                if pk in self.keys:
                    self.index.add(
                        record_id=pk,
                        person_id=outcome.person_id,
                        request_id=item.request.pk,
                        profile=self.scoring[pk],
                        keys=self.keys[pk],
                        clear={c: self.prepared[pk].get(c) for c in self.fuzzy},
                    )
            decided += outcomes
        return decided

    def candidates(self) -> Mapping[int, blocking.Candidate]:
        # A view, not a copy: the batch's candidates grow request by request, and copying
        # thousands of stored ones for each request cost more than scoring some of them.
        return ChainMap(self.index.candidates, self.stored_candidates)

    def _household(
        self, outcomes: list[LinkOutcome], candidates: Mapping[int, blocking.Candidate]
    ) -> None:
        """Members still unlinked, compared with the households their relatives linked to."""
        if all(o.person_id is not None or o.rule == RULE_INSUFFICIENT for o in outcomes):
            return
        requests = {
            candidates[o.matched_record].request_id
            for o in outcomes
            if o.matched_record is not None and o.matched_record in candidates
        }
        if not requests:
            return
        in_batch = [
            self.index.candidates[r]
            for request in requests
            for r in self.index.by_request.get(request, ())
        ]
        stored = blocking.request_members_load(requests - set(self.index.by_request))
        household_intake.members_link(
            outcomes,
            [*in_batch, *stored],
            self.scoring,
            self.scorer,
            linked_method=PersonLink.Method.RULE,
            skip_rules=frozenset({RULE_INSUFFICIENT}),
        )


def _people_assign(outcomes: list[LinkOutcome]) -> None:
    """Insert the batch's new people and fetch the existing ones the batch links to."""
    new_people = {
        o.person_id: Person(display_name=o.record.display_name[:300])
        for o in outcomes
        if o.person_id is not None and o.person_id < 0 and o.method == PersonLink.Method.NEW_PERSON
    }
    Person.objects.bulk_create(list(new_people.values()))
    wanted = {o.person_id for o in outcomes if o.person_id is not None and o.person_id > 0}
    existing = Person.objects.in_bulk(wanted) if wanted else {}
    for outcome in outcomes:
        assert outcome.person_id is not None
        standin = outcome.person_id
        outcome.person = new_people[standin] if standin < 0 else existing[standin]
        outcome.person_id = outcome.person.pk


def items_link(
    *,
    items: list[IntakeItem],
    actor: User | None,
    scorer: Scorer | None = None,
    rules: tuple[blocking.KeyRule, ...] | None = None,
    thresholds: Thresholds | None = None,
) -> dict[int, Person]:
    """Link each record of each request to a person; returns record id → person."""
    records = [r for item in items for r in item.records]
    if not records:
        return {}
    scorer = scorer or packaged_scorer()
    rules = rules if rules is not None else blocking.packaged_key_rules()
    linker = _Linker(items, scorer, rules, thresholds or thresholds_for(records))
    outcomes = linker.outcomes()
    _people_assign(outcomes)
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
    blocking.profiles_store(
        {pk: (linker.profiles[pk], pk in linker.insufficient) for pk in linker.profiles}, rules
    )
    _review_items_create(outcomes, linker.profiles, linker.prepared, linker.candidates(), scorer)
    return {o.record.pk: o.person for o in outcomes if o.person is not None}


def records_link(
    *,
    request: Request,
    records: list[PersonRecord],
    actor: User | None,
    scorer: Scorer | None = None,
    rules: tuple[blocking.KeyRule, ...] | None = None,
    thresholds: Thresholds | None = None,
) -> dict[int, Person]:
    """items_link for the records of one request."""
    return items_link(
        items=[IntakeItem(request=request, records=records)],
        actor=actor,
        scorer=scorer,
        rules=rules,
        thresholds=thresholds,
    )


def _review_items_create(
    outcomes: list[LinkOutcome],
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
        incoming = frozen({**profiles[record_id], **{c: prepared[record_id].get(c) for c in fuzzy}})
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


def resolve_request_people(*, items: list[IntakeItem], actor: User | None) -> dict[int, Person]:
    """The intake flow's matching step: each record of the batch linked to a person; returns
    record id → person, which the flow hands to the cases step."""
    return items_link(items=items, actor=actor)
