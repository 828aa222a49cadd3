"""Writing triage: storing and activating guidance, triaging cases, correcting facts."""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from haven.audit.models import AuditAction
from haven.audit.services import audit_record
from haven.cases.models import Case, CaseEvent
from haven.cases.public_status import public_status_sync, public_status_sync_many

from . import bulk, evidence, selectors
from .engine import Decision, Engine
from .facts import FactsError, clean_facts
from .models import (
    CaseFacts,
    DecisionOutcome,
    GuidanceVersion,
    RetriageRun,
    RetriageShard,
    TriageDecision,
)
from .pack import Pack, parse_pack
from .pathways import pathway_label
from .permissions import can_correct_facts, can_manage_guidance
from .provenance import caseworker_source, fact_label, shown_value

if TYPE_CHECKING:
    from haven.accounts.models import User

BATCH_SIZE = 5000
# Re-triage runs split into this many disjoint id ranges, one background task
# each, so as many `haven db_worker` processes can share the work.
DEFAULT_SHARDS = 2
# No shard smaller than this: splitting a small run only adds overhead.
MIN_SHARD = 10_000


class GuidanceConflict(ValueError):
    """The same pack@version is stored already with different content."""


@transaction.atomic
def guidance_store(*, pack: Pack, actor: User | None) -> GuidanceVersion:
    """Store a validated pack version as a draft (or return the identical stored one).

    A version is immutable once stored: decisions point at it, so new text
    needs a new version number.
    """
    existing = GuidanceVersion.objects.filter(pack=pack.pack, version=pack.version).first()
    if existing is not None:
        if existing.sha256 != pack.sha256:
            raise GuidanceConflict(
                f"{pack.label} is stored already with different content; "
                "give the changed guidance a new version"
            )
        return existing
    version = GuidanceVersion.objects.create(
        pack=pack.pack,
        version=pack.version,
        effective_date=pack.effective_date,
        author=pack.author,
        change_note=pack.change_note,
        source=pack.source,
        source_name=pack.source_name,
        sha256=pack.sha256,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=version,
        summary=f"Stored guidance {version.label} as a draft",
        details={"sha256": version.sha256, "rules": len(pack.rules)},
    )
    return version


def guidance_activation_refuse(
    *, label: str, actor: User | None, version: GuidanceVersion | None = None
) -> None:
    """Record a refused activation and raise. Outside any transaction, so the
    refusal stays on the audit trail although nothing else is written."""
    audit_record(
        actor=actor,
        action=AuditAction.DENIED,
        obj=version,
        object_type="" if version else "triage.guidanceversion",
        summary=f"Refused activation of guidance {label}",
    )
    raise PermissionDenied("Only supervisors may activate guidance.")


def guidance_activate(*, version: GuidanceVersion, actor: User, reason: str = "") -> RetriageRun:
    """Put a stored version in force and re-triage every open case in the background.

    Re-activating a previous version is the same operation. The reason (asked for by the page
    and the command) is kept in the audit trail.
    """
    if not can_manage_guidance(actor):
        guidance_activation_refuse(label=version.label, actor=actor, version=version)
    return _guidance_activate(version=version, actor=actor, reason=reason)


@transaction.atomic
def _guidance_activate(
    *, version: GuidanceVersion, actor: User, enqueue: bool = True, reason: str = ""
) -> RetriageRun:
    # Lock the active row and the target: two supervisors activating at once
    # would otherwise both retire the old version and collide on the
    # one-active constraint instead of the later one simply winning.
    previous = list(
        GuidanceVersion.objects.select_for_update().filter(status=GuidanceVersion.Status.ACTIVE)
    )
    version = GuidanceVersion.objects.select_for_update().get(pk=version.pk)
    # The stored text was validated when stored; checking again costs little
    # and guarantees an invalid pack is never in force.
    parse_pack(version.source, version.label)
    for old in previous:
        if old.pk != version.pk:
            old.status = GuidanceVersion.Status.RETIRED
            old.save(update_fields=["status"])
    version.status = GuidanceVersion.Status.ACTIVE
    version.activated_at = timezone.now()
    version.activated_by = actor
    version.save(update_fields=["status", "activated_at", "activated_by"])
    run = RetriageRun.objects.create(
        guidance=version, total=selectors.open_cases().count(), requested_by=actor
    )
    shards = retriage_shards_create(run)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=version,
        summary=f"Activated guidance {version.label}",
        details={
            "previous": [old.label for old in previous],
            "run": run.pk,
            "open": run.total,
            "reason": reason[:500],
        },
    )
    if enqueue:
        from .tasks import retriage_shard

        for shard in shards:
            transaction.on_commit(functools.partial(retriage_shard.enqueue, shard.pk))
    return run


def retriage_shards_create(run: RetriageRun) -> list[RetriageShard]:
    """Split the run's open cases into disjoint id ranges of about equal size."""
    wanted = getattr(settings, "HAVEN_RETRIAGE_SHARDS", DEFAULT_SHARDS)
    count = max(1, min(int(wanted), run.total // MIN_SHARD))
    ids = selectors.open_cases().order_by("id").values_list("id", flat=True)
    bounds = [ids[run.total * n // count - 1] for n in range(1, count)]
    ranges = zip([0, *bounds], [*bounds, None], strict=True)
    return RetriageShard.objects.bulk_create(
        RetriageShard(
            run=run, number=n, after_case_id=after, up_to_case_id=up_to, last_case_id=after
        )
        for n, (after, up_to) in enumerate(ranges)
    )


def outcome_key(guidance_id: int, decision: Decision) -> str:
    """The SHA-256 naming a decision's shared content (see DecisionOutcome)."""
    content = [
        guidance_id,
        decision.rule,
        decision.pathway,
        decision.next_action,
        list(decision.evidence_missing),
        decision.requires_third_country,
        decision.explanation,
    ]
    text = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _outcome_fields(decision: Decision) -> dict[str, Any]:
    return {
        "rule": decision.rule,
        "pathway": decision.pathway,
        "next_action": decision.next_action,
        "evidence_missing": list(decision.evidence_missing),
        "requires_third_country": decision.requires_third_country,
        "explanation": decision.explanation,
    }


def decision_outcome(*, guidance: GuidanceVersion, decision: Decision) -> DecisionOutcome:
    """The stored outcome saying what `decision` says, added if new."""
    outcome, _ = DecisionOutcome.objects.get_or_create(
        key=outcome_key(guidance.pk, decision),
        defaults={"guidance": guidance, **_outcome_fields(decision)},
    )
    return outcome


class OutcomeCache:
    """Outcome ids by content for one worker: each distinct outcome is hashed,
    looked up and if need be inserted once, whatever the number of cases."""

    def __init__(self, guidance: GuidanceVersion) -> None:
        self.guidance = guidance
        self.ids: dict[tuple[Any, ...], int] = {}

    @staticmethod
    def content(decision: Decision) -> tuple[Any, ...]:
        return (
            decision.rule,
            decision.pathway,
            decision.next_action,
            decision.evidence_missing,
            decision.requires_third_country,
            decision.explanation,
        )

    def resolve(self, decisions: list[Decision]) -> list[int]:
        """The outcome id of each decision, storing the outcomes not seen yet."""
        contents = [self.content(d) for d in decisions]
        missing = {c: d for c, d in zip(contents, decisions, strict=True) if c not in self.ids}
        if missing:
            keys = {outcome_key(self.guidance.pk, d): c for c, d in missing.items()}
            DecisionOutcome.objects.bulk_create(
                [
                    DecisionOutcome(key=key, guidance=self.guidance, **_outcome_fields(missing[c]))
                    for key, c in keys.items()
                ],
                ignore_conflicts=True,  # another worker may have added it meanwhile
            )
            for key, pk in DecisionOutcome.objects.filter(key__in=list(keys)).values_list(
                "key", "pk"
            ):
                self.ids[keys[key]] = pk
        return [self.ids[c] for c in contents]


def event_data(before: str, decision: Decision) -> dict[str, str]:
    """The triage event as data (cases.event_text renders it in the reader's language)."""
    data = {"pathway": decision.pathway, "guidance": decision.guidance, "rule": decision.rule}
    if before and before != decision.pathway:
        return {"message": "retriaged", "from_pathway": before, **data}
    return {"message": "triaged", **data}


def event_text(before: str, decision: Decision, label: Callable[[str], str] = pathway_label) -> str:
    after = label(decision.pathway)
    if before and before != decision.pathway:
        return f"{label(before)} → {after} ({decision.guidance}, rule {decision.rule})"
    return f"{after} ({decision.guidance}, rule {decision.rule})"


@transaction.atomic
def case_retriage(
    *, case: Case, actor: User | None, reason: str = TriageDecision.Reason.MANUAL
) -> TriageDecision | None:
    """Triage one case under the active guidance; None when no guidance is active."""
    guidance = selectors.active_guidance()
    if guidance is None:
        return None
    # Lock the case: a fact correction and a re-triage running together must
    # leave the decision made from the latest facts as the case's current one.
    case = Case.objects.select_for_update().get(pk=case.pk)
    facts = selectors.facts_with_derived(selectors.case_facts(case), selectors.waiting_since(case))
    # Stored in the site language; the case page re-renders it for the reader.
    decision = selectors.engine_for_version(guidance).decide(facts, language=settings.LANGUAGE_CODE)
    row = TriageDecision.objects.create(
        case=case,
        guidance=guidance,
        outcome=decision_outcome(guidance=guidance, decision=decision),
        priority=decision.priority,
        priority_breakdown=decision.priority_breakdown,
        facts_used=decision.facts_used,
        reason=reason,
        actor=actor,
    )
    before = case.pathway
    case.pathway, case.priority = decision.pathway, decision.priority
    case.save(update_fields=["pathway", "priority", "updated_at"])
    CaseEvent.objects.create(
        case=case,
        kind=CaseEvent.Kind.TRIAGED,
        actor=actor,
        description=event_text(before, decision),
        data=event_data(before, decision),
    )
    # A first pathway puts the case's requests under review.
    public_status_sync(case=case, actor=actor)
    # The decision's "still needed" becomes (or updates) the case's checklist of tasks.
    evidence.checklists_sync(
        guidance=guidance,
        needs={case.pk: list(decision.evidence_missing)},
        facts={case.pk: facts},
        actor=actor,
    )
    return row


@transaction.atomic
def case_facts_update(
    *,
    case: Case,
    changes: dict[str, Any],
    actor: User,
    note: str = "",
    summary: str = "",
    source_extra: dict[str, Any] | None = None,
) -> TriageDecision | None:
    """Correct some facts (None makes a fact unknown), audit it, and re-triage.

    The corrected facts are the caseworker's from now on: no request overwrites them.

    Raises FactsError naming the fact when a value does not fit the schema.
    """
    if not can_correct_facts(actor):
        raise PermissionDenied
    source_extra = source_extra or {}
    if "days_waiting" in changes:
        raise FactsError("days_waiting", "is derived from the case's dates and cannot be set")
    cleaned = clean_facts(changes)
    # Lock the facts row: two caseworkers correcting one case at once must not
    # silently drop each other's change.
    row, _ = CaseFacts.objects.select_for_update().get_or_create(case=case)
    before = dict(row.facts)
    after = {k: v for k, v in {**before, **cleaned}.items() if changes.get(k, v) is not None}
    diff = {
        name: [before.get(name), after.get(name)]
        for name in sorted(set(before) | set(after))
        if before.get(name) != after.get(name)
    }
    if not diff:
        return None
    _facts_apply(row, after, diff, caseworker_source(actor.pk, **source_extra), actor)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=row,
        summary=summary or f"Corrected triage facts of case {case.reference}",
        details={"case": case.pk, "changes": diff, "note": note[:500], **source_extra},
    )
    CaseEvent.objects.create(
        case=case,
        kind=CaseEvent.Kind.FACTS_CHANGED,
        actor=actor,
        description=(
            (summary or "Facts corrected")
            + ": "
            + "; ".join(
                f"{fact_label(name)}: {shown_value(old)} → {shown_value(new)}"
                for name, (old, new) in diff.items()
            )
            + (f". Note: {note.strip()}" if note.strip() else "")
        )[:500],
    )
    return case_retriage(case=case, actor=actor, reason=TriageDecision.Reason.CORRECTION)


def _facts_apply(
    row: CaseFacts,
    after: dict[str, Any],
    diff: dict[str, list[Any]],
    source: dict[str, Any],
    actor: User,
) -> None:
    """Store corrected facts with their source: a caseworker's value beats any request."""
    sources = dict(row.sources)
    for name in diff:
        if after.get(name) is None:
            sources.pop(name, None)
        else:
            sources[name] = source
    row.facts, row.sources, row.updated_by = after, sources, actor
    row.save(update_fields=["facts", "sources", "updated_by", "updated_at"])


def case_facts_record(*, case: Case, facts: dict[str, Any], actor: User | None) -> CaseFacts:
    """Store facts gathered at intake for a new case (already checked by the caller)."""
    row, created = CaseFacts.objects.get_or_create(
        case=case, defaults={"facts": facts, "updated_by": actor}
    )
    if not created:
        row.facts = {**row.facts, **facts}
        row.save(update_fields=["facts", "updated_at"])
    return row


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


DECISION_FIELDS = (
    "case",
    "guidance",
    "outcome",
    "priority",
    "priority_breakdown",
    "facts_used",
    "reason",
    "run",
    "actor",
    "decided_at",
)
EVENT_FIELDS = ("case", "kind", "actor", "description", "data", "at")


def cases_retriage_batch(
    *, run: RetriageRun, shard: RetriageShard, engine: Engine, outcomes: OutcomeCache
) -> int:
    """Re-triage the next batch of a shard's open cases; returns how many were done.

    The caller holds a transaction and the shard's row lock. Reads are plain
    tuples in id order (keyset pagination) and writes go to the tables in bulk
    (`bulk.py`): one COPY of decision rows, one of case events, one UPDATE of
    the cases whose pathway or priority changed.
    """
    cases = selectors.open_cases().filter(id__gt=shard.last_case_id)
    if shard.up_to_case_id is not None:
        cases = cases.filter(id__lte=shard.up_to_case_id)
    # Lock the batch: a correction arriving meanwhile waits, then re-triages
    # from its new facts, so its decision is the latest one.
    rows = list(
        cases.order_by("id")
        .select_for_update()
        .values_list("id", "pathway", "priority", "created_at")[:BATCH_SIZE]
    )
    if not rows:
        return 0
    after, up_to = shard.last_case_id, rows[-1][0]
    since = selectors.first_requests(after=after, up_to=up_to)
    facts = dict(
        CaseFacts.objects.filter(case_id__gt=after, case_id__lte=up_to).values_list(
            "case_id", "facts"
        )
    )
    now, language = timezone.now(), settings.LANGUAGE_CODE
    decisions = [
        engine.decide(
            {
                **facts.get(pk, {}),
                "days_waiting": selectors.days_between(since.get(pk, created), now),
            },
            language=language,
        )
        for pk, _, _, created in rows
    ]
    outcome_ids = outcomes.resolve(decisions)
    stamp = connection.ops.adapt_datetimefield_value(now)
    actor_id, reason = run.requested_by_id, TriageDecision.Reason.ACTIVATION
    triaged = CaseEvent.Kind.TRIAGED
    label = functools.lru_cache(maxsize=None)(pathway_label)  # gettext is slow
    decision_rows, event_rows, updates = [], [], []
    for (pk, pathway, priority, _), decision, outcome_id in zip(
        rows, decisions, outcome_ids, strict=True
    ):
        decision_rows.append(
            (
                pk,
                run.guidance_id,
                outcome_id,
                decision.priority,
                _json(decision.priority_breakdown),
                _json(decision.facts_used),
                reason,
                run.pk,
                actor_id,
                stamp,
            )
        )
        if pathway != decision.pathway:
            event_rows.append(
                (
                    pk,
                    triaged,
                    actor_id,
                    event_text(pathway, decision, label),
                    _json(event_data(pathway, decision)),
                    stamp,
                )
            )
        if (pathway, priority) != (decision.pathway, decision.priority):
            updates.append((pk, decision.pathway, decision.priority))
    bulk.insert_rows(TriageDecision, DECISION_FIELDS, decision_rows)
    bulk.insert_rows(CaseEvent, EVENT_FIELDS, event_rows)
    bulk.update_pathways(Case._meta.db_table, updates)
    # Cases triaged for the first time: their requests are under review now. Read back
    # (two more statements) only when there are any, as after a first activation.
    first = [pk for pk, pathway, _, _ in rows if not pathway]
    if first:
        public_status_sync_many(
            cases=Case.objects.filter(pk__in=first).only(
                "id", "status", "pathway", "closure_outcome", "merged_into"
            ),
            actor=run.requested_by,
        )
    shard.done += len(rows)
    shard.last_case_id = up_to
    shard.save(update_fields=["done", "last_case_id"])
    # Last, so the run row is locked only for the end of the transaction when
    # several shards share it.
    RetriageRun.objects.filter(pk=run.pk).update(
        done=F("done") + len(rows), changed=F("changed") + len(event_rows)
    )
    return len(rows)
