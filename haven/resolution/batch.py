"""`haven resolve`: re-resolve every person record in the database, in bulk.

1. Read every record (identifiers decrypted in memory only) and prepare it.
2. Score candidate pairs with Splink: on DuckDB through `resolve.records_resolve`,
   or the same model on Spark (`spark.py`).
3. Cluster, strongest link first, under the guards (household, size) and the
   reviewers' word: a "same" decision or a person's merge is a forced link; a
   "not the same" decision (and every unmerge) is a forced non-link.
4. Give each cluster a person (the one most of its records already have), move
   only the records whose person changes (end the link, make a new one), and put
   uncertain pairs in the review queue. A second run on the same data changes
   nothing.
"""

from __future__ import annotations

import json
import logging
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from haven.audit.models import AuditAction
from haven.audit.services import audit_record
from haven.common import crypto
from haven.common.iterables import chunked
from haven.intake.models import Identifier, PersonRecord

from . import blocking, guards, households, model, resolve, search_keys
from .models import (
    BlockingKey,
    MatchProfile,
    Person,
    PersonLink,
    PersonMerge,
    ResolutionRun,
    ReviewDecision,
    ReviewItem,
)
from .realtime import Scorer
from .records import INSUFFICIENT, MATCH_COLUMNS, record_prepare
from .versions import newest_versions, record_as_corrected, version_identifiers

logger = logging.getLogger(__name__)

ENGINES = ("duckdb", "spark")
CHUNK = 5_000


def _records_read() -> Iterator[tuple[int, int, dict[str, Any]]]:
    """(record id, request id, prepared record) for every record, in id order, in chunks."""
    last = 0
    while True:
        chunk = list(
            PersonRecord.objects.filter(pk__gt=last)
            .order_by("pk")
            .select_related("request")
            .only(
                "pk",
                "request_id",
                "request__received_at",
                "full_name",
                "given_name",
                "family_name",
                "father_name",
                "sex",
                "dob_as_written",
                "province",
            )[:CHUNK]
        )
        if not chunk:
            return
        identifiers: dict[int, list[tuple[str, str]]] = defaultdict(list)
        for record_id, kind, encrypted in Identifier.objects.filter(
            person_record_id__in=[r.pk for r in chunk]
        ).values_list("person_record_id", "kind", "value_as_written_encrypted"):
            identifiers[record_id].append((kind, crypto.decrypt(encrypted)))
        # A record staff corrected is matched as corrected (resolution.RecordVersion).
        corrected = newest_versions([r.pk for r in chunk])
        for record in chunk:
            values, idents = record, identifiers.get(record.pk, [])
            if record.pk in corrected:
                values = record_as_corrected(record, corrected[record.pk])
                idents = version_identifiers(corrected[record.pk])
            row = blocking.record_row(values, idents)
            prepared = record_prepare(row, today=record.request.received_at.date())
            prepared["_display"] = record.display_name
            yield record.pk, record.request_id, prepared
        last = chunk[-1].pk


@dataclass
class Plan:
    """What a run decided, before it writes."""

    cluster_of: dict[int, int]
    best_weight: dict[int, float]
    reviews: list[tuple[int, int, float, str]]
    refused: int = 0
    forced: int = 0
    summary: dict[str, Any] = field(default_factory=dict)


class _Clusters:
    """Union-find with the guards: one request per cluster at most once, a size cap, and
    reviewers' "not the same" between any two members refused."""

    def __init__(self, groups: Mapping[int, int], cannot: Mapping[int, set[int]]):
        self.parent: dict[int, int] = {}
        self.members: dict[int, set[int]] = {}
        self.groups: dict[int, set[int]] = {}
        self._group_of = groups
        self._cannot = cannot

    def find(self, node: int) -> int:
        if node not in self.parent:
            self.parent[node] = node
            self.members[node] = {node}
            self.groups[node] = {self._group_of[node]} if node in self._group_of else set()
        root = node
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[node] != root:
            self.parent[node], node = root, self.parent[node]
        return root

    def union(self, a: int, b: int, *, max_size: int | None) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        if self.groups[ra] & self.groups[rb]:
            return False
        if max_size is not None and len(self.members[ra]) + len(self.members[rb]) > max_size:
            return False
        small, large = sorted((ra, rb), key=lambda r: len(self.members[r]))
        if any(self._cannot.get(m, set()) & self.members[large] for m in self.members[small]):
            return False
        self.parent[small] = large
        self.members[large] |= self.members.pop(small)
        self.groups[large] |= self.groups.pop(small)
        return True


def _decisions() -> tuple[list[tuple[int, int]], dict[int, set[int]]]:
    """Forced links and forced non-links from reviewers' latest decision on each pair."""
    latest: dict[tuple[int, int], str] = {}
    for a, b, decision in ReviewDecision.objects.order_by("decided_at", "id").values_list(
        "record_a_id", "record_b_id", "decision"
    ):
        latest[(a, b)] = decision
    same = [pair for pair, d in latest.items() if d == ReviewDecision.Decision.SAME]
    cannot: dict[int, set[int]] = defaultdict(set)
    for (a, b), d in latest.items():
        if d == ReviewDecision.Decision.NOT_SAME:
            cannot[a].add(b)
            cannot[b].add(a)
    return same, cannot


def _merged_together(current: Mapping[int, int]) -> list[tuple[int, int]]:
    """People made by a person's hand (a merge) stay together: link their records."""
    merged_people = set(
        PersonLink.objects.filter(
            ended_at__isnull=True, method=PersonLink.Method.MERGE
        ).values_list("person_id", flat=True)
    )
    by_person: dict[int, list[int]] = defaultdict(list)
    for record_id, person_id in current.items():
        if person_id in merged_people:
            by_person[person_id].append(record_id)
    return [(ids[0], other) for ids in by_person.values() for other in ids[1:]]


def plan_make(
    pairs: pd.DataFrame,
    *,
    record_ids: Sequence[int],
    groups: Mapping[int, int],
    current: Mapping[int, int],
    thresholds: resolve.Thresholds,
) -> Plan:
    same, cannot = _decisions()
    clusters = _Clusters(groups, cannot)
    forced = 0
    for a, b in [*same, *_merged_together(current)]:
        if a in groups and b in groups and clusters.union(a, b, max_size=None):
            forced += 1
    decided = {tuple(sorted(p)) for p in same} | {
        tuple(sorted((a, b))) for a, others in cannot.items() for b in others
    }
    best: dict[int, float] = {}
    reviews: list[tuple[int, int, float, str]] = []
    refused = 0
    ordered = pairs.sort_values("match_weight", ascending=False)
    for left, right, weight in ordered[["unique_id_l", "unique_id_r", "match_weight"]].itertuples(
        index=False
    ):
        a, b = sorted((int(left), int(right)))
        if (a, b) in decided:
            continue
        weight = float(weight)
        if weight >= thresholds.auto:
            if clusters.union(a, b, max_size=guards.MAX_CLUSTER_SIZE):
                best[a] = max(best.get(a, weight), weight)
                best[b] = max(best.get(b, weight), weight)
                continue
            refused += 1
            if clusters.find(a) != clusters.find(b):
                reviews.append((a, b, weight, "refused by a guard (household, size or decision)"))
        elif clusters.find(a) != clusters.find(b):
            reviews.append((a, b, weight, "between the thresholds"))
    cluster_of = {r: clusters.find(r) for r in record_ids}
    # A pair that ended in one cluster through other links needs no review.
    reviews = [r for r in reviews if cluster_of[r[0]] != cluster_of[r[1]]]
    return Plan(cluster_of, best, reviews, refused=refused, forced=forced)


def _people_assign(plan: Plan, current: Mapping[int, int]) -> dict[int, int | None]:
    """Cluster root → person id (None: a new person). Each person goes to one cluster: the
    largest cluster holding most of its records keeps it."""
    members: dict[int, list[int]] = defaultdict(list)
    for record_id, root in plan.cluster_of.items():
        members[root].append(record_id)
    claimed: set[int] = set()
    assigned: dict[int, int | None] = {}
    for root, ids in sorted(members.items(), key=lambda kv: (-len(kv[1]), min(kv[1]))):
        counts = Counter(current[r] for r in ids if r in current)
        choice = next(
            (
                person
                for person, _ in sorted(counts.items(), key=lambda pc: (-pc[1], pc[0]))
                if person not in claimed
            ),
            None,
        )
        if choice is not None:
            claimed.add(choice)
        assigned[root] = choice
    return assigned


def _explain(
    scorer: Scorer, prepared: Mapping[int, dict[str, Any]], a: int, b: int, weight: float
) -> dict[str, Any]:
    explained = scorer.score(prepared[a], prepared[b]).as_json()
    # Splink's weight includes term-frequency adjustments (a rare name counts for more);
    # the per-field weights are the averages. Say how far apart they are.
    explained["rarity_adjustment"] = round(weight - explained["weight"], 3)
    explained["weight"] = round(weight, 3)
    return explained


@transaction.atomic
def _write(
    *,
    run: ResolutionRun,
    plan: Plan,
    current: Mapping[int, int],
    current_link: Mapping[int, int],
    prepared: Mapping[int, dict[str, Any]],
    scorer: Scorer,
) -> dict[str, int]:
    assigned = _people_assign(plan, current)
    now = timezone.now()
    moves: list[tuple[int, int | None, int]] = []  # (record, person or None, root)
    for record_id, root in plan.cluster_of.items():
        person = assigned[root]
        if person is None or current.get(record_id) != person:
            moves.append((record_id, person, root))
    # New people, one per cluster without one.
    roots_needing = sorted({root for _, person, root in moves if person is None})
    display = {r: prepared[r].get("_display", "") for r in plan.cluster_of}
    created = Person.objects.bulk_create(
        [Person(display_name=display.get(root, "")[:300]) for root in roots_needing],
        batch_size=CHUNK,
    )
    new_person = {root: p.pk for root, p in zip(roots_needing, created, strict=True)}
    moved_links = [current_link[r] for r, _, _ in moves if r in current_link]
    for start in range(0, len(moved_links), CHUNK):
        # Bulk: a run may move thousands of links; each is ended, never deleted.
        PersonLink.objects.filter(pk__in=moved_links[start : start + CHUNK]).update(ended_at=now)
    # A person all of whose records went to one other person was, in effect, merged into it.
    leaving: dict[int, set[int]] = defaultdict(set)
    staying = Counter(current[r] for r in plan.cluster_of if r in current)
    for record_id, person, root in moves:
        if record_id in current:
            leaving[current[record_id]].add(person or new_person[root])
            staying[current[record_id]] -= 1
    merges: dict[int, PersonMerge] = {}
    for old, targets in leaving.items():
        if staying[old] == 0 and len(targets) == 1:
            (target,) = targets
            merges[old] = PersonMerge(
                source_id=old, target_id=target, reason=f"Batch run #{run.pk} ({run.engine})"
            )
    PersonMerge.objects.bulk_create(merges.values(), batch_size=CHUNK)
    for old, merge in merges.items():
        Person.objects.filter(pk=old).update(merged_into_id=merge.target_id)
    rule = f"batch run #{run.pk} ({run.engine})"
    PersonLink.objects.bulk_create(
        [
            PersonLink(
                person_record_id=record_id,
                person_id=person or new_person[root],
                method=PersonLink.Method.RULE,
                rule=rule,
                score=plan.best_weight.get(record_id),
                merge=merges.get(current.get(record_id, -1)),
                replaces_id=current_link.get(record_id),
            )
            for record_id, person, root in moves
        ],
        batch_size=CHUNK,
    )
    # --- Case membership follows the records this run moved (haven/cases/people_changes.py,
    # reached through services.people_changed_handlers), inside this transaction.
    # Imported here to keep this hook one self-contained block.
    from .services import batch_people_changed_notify

    batch_people_changed_notify(
        moves=[(r, current.get(r), person or new_person[root]) for r, person, root in moves],
        merges=merges.values(),
        reason=rule,
    )
    # ---
    items = [
        ReviewItem(
            record_a_id=a,
            record_b_id=b,
            score=weight,
            details=_explain(scorer, prepared, a, b, weight),
            reason=reason[:100],
            source=ReviewItem.Source.BATCH,
        )
        for a, b, weight, reason in plan.reviews
    ]
    ReviewItem.objects.bulk_create(items, ignore_conflicts=True, batch_size=CHUNK)
    return {
        "links_moved": len(moves),
        "people_created": len(created),
        "people_merged": len(merges),
        "review_pairs": len(items),
    }


def _profiles_backfill(
    prepared: Mapping[int, dict[str, Any]], rules: tuple[blocking.KeyRule, ...]
) -> int:
    """Records stored before real-time resolution (or by another path) get a profile and keys,
    and records whose stored profile no longer matches today's normalisation (a name table
    or a rule changed since they came in) get theirs again: intake finds them either way.
    Returns how many records were given a profile."""
    stored = dict(MatchProfile.objects.values_list("person_record_id", "data"))
    wanted = {}
    for record_id, record in prepared.items():
        profile = blocking.profile_build(record)
        # As the database gives it back (tuples read as lists), to compare like with like.
        if stored.get(record_id) != json.loads(json.dumps(profile)):
            wanted[record_id] = (profile, INSUFFICIENT in record["flags"])
    stale = [r for r in wanted if r in stored]
    # Keys and profiles are derived data, rebuilt from the records, which are never touched.
    for chunk in chunked(stale, blocking.IDS_PER_STATEMENT):
        BlockingKey.objects.filter(person_record_id__in=chunk).delete()
        search_keys.search_keys_delete(chunk)
        MatchProfile.objects.filter(person_record_id__in=chunk).delete()
    if wanted:
        blocking.profiles_store(wanted, rules)
    return len(wanted)


def _configured_thresholds() -> resolve.Thresholds:
    configured = getattr(settings, "HAVEN_RESOLUTION_THRESHOLDS", None)
    if configured:
        return resolve.Thresholds(
            auto=float(configured["auto"]), review=float(configured["review"])
        )
    return resolve.Thresholds()


def _household_pairs(
    pairs: pd.DataFrame,
    records: Sequence[dict[str, Any]],
    groups: Mapping[int, int],
    trained_model: dict[str, Any],
    thresholds: resolve.Thresholds,
) -> pd.DataFrame:
    """Members of requests joined through an automatic link, linked under a household's prior
    (`households`); as pairs at the automatic threshold, so the plan links them like any other
    automatic link, under the same guards and reviewer decisions."""
    auto = pairs[pairs["match_weight"] >= thresholds.auto]
    links = [
        guards.Edge(str(a), str(b), float(w))
        for a, b, w in auto[["unique_id_l", "unique_id_r", "match_weight"]].itertuples(index=False)
    ]
    by_id = {str(k): str(v) for k, v in groups.items()}
    edges = households.household_edges(records, by_id, links, trained_model)
    return pd.DataFrame(
        {
            "unique_id_l": [e.left for e in edges],
            "unique_id_r": [e.right for e in edges],
            "match_weight": [max(e.weight, thresholds.auto) for e in edges],
        }
    )


def resolve_all(
    *,
    engine: str = "duckdb",
    thresholds: resolve.Thresholds | None = None,
    trained_model: dict[str, Any] | None = None,
) -> ResolutionRun:
    """Re-resolve every record in the database; see the module docstring."""
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}")
    run = ResolutionRun.objects.create(engine=engine)
    prepared: dict[int, dict[str, Any]] = {}
    groups: dict[int, int] = {}
    for record_id, request_id, record in _records_read():
        record["unique_id"] = str(record_id)
        prepared[record_id] = record
        groups[record_id] = request_id
    backfilled = _profiles_backfill(prepared, blocking.packaged_key_rules())
    current: dict[int, int] = {}
    current_link: dict[int, int] = {}
    for link_id, record_id, person_id in PersonLink.objects.filter(
        ended_at__isnull=True
    ).values_list("pk", "person_record_id", "person_id"):
        current[record_id] = person_id
        current_link[record_id] = link_id
    records = list(prepared.values())
    eligible = [r for r in records if INSUFFICIENT not in r["flags"]]
    given = thresholds or _configured_thresholds()
    scale = getattr(given, "for_records", None)
    # records_resolve scales the thresholds it is given itself: give it them unscaled.
    thresholds = scale(len(eligible)) if scale is not None else given
    if engine == "duckdb":
        if trained_model is None and len(eligible) >= model.MIN_RECORDS_TO_TRAIN:
            resolve.rare_values_mark(eligible)
            guards.placeholders_remove(records)
            frame = model.frame_build(
                [r for r in records if INSUFFICIENT not in r["flags"]], MATCH_COLUMNS
            )
            trained_model = model.model_train(frame, model.haven_spec())
        trained_model = trained_model or model.packaged_model()
        resolution = resolve.records_resolve(records, trained_model=trained_model, thresholds=given)
        pairs = resolution.pairs
    else:
        from . import spark

        guards.placeholders_remove(records)
        eligible = [r for r in records if INSUFFICIENT not in r["flags"]]
        resolve.rare_values_mark(eligible)
        frame = model.frame_build(eligible, MATCH_COLUMNS)
        if trained_model is None:
            big = len(eligible) >= model.MIN_RECORDS_TO_TRAIN
            trained_model = (
                spark.model_train(frame, model.haven_spec()) if big else model.packaged_model()
            )
        pairs = spark.pairs_score(frame, trained_model, min_weight=thresholds.review)
    household_pairs = _household_pairs(pairs, eligible, groups, trained_model, thresholds)
    pairs = pd.concat([pairs, household_pairs], ignore_index=True)
    plan = plan_make(
        pairs,
        record_ids=list(prepared),
        groups=groups,
        current=current,
        thresholds=thresholds,
    )
    scorer = Scorer(trained_model)
    changes = _write(
        run=run,
        plan=plan,
        current=current,
        current_link=current_link,
        prepared=prepared,
        scorer=scorer,
    )
    run.finished_at = timezone.now()
    run.records = len(prepared)
    run.summary = {
        **changes,
        "pairs_scored": len(pairs),
        "household_links": len(household_pairs),
        "links_refused_by_guards": plan.refused,
        "forced_links": plan.forced,
        "profiles_backfilled": backfilled,
        "insufficient_identity_data": len(records) - len(eligible),
        "thresholds": {"auto": thresholds.auto, "review": thresholds.review},
    }
    run.save(update_fields=["finished_at", "records", "summary"])
    audit_record(
        actor=None,
        action=AuditAction.UPDATE,
        obj=run,
        summary=f"Batch resolution ({engine}) of {len(prepared)} records",
        details=run.summary,
    )
    return run
