"""Writing triage: storing and activating guidance, triaging cases, correcting facts."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from haven.audit.models import AuditAction
from haven.audit.services import audit_record
from haven.cases.models import Case, CaseEvent
from haven.cases.public_status import public_status_sync, public_status_sync_many

from . import evidence, selectors
from .decisions import Decided, OutcomeCache, decisions_record
from .engine import Decision, Engine
from .facts import FactsError, clean_facts
from .models import (
    CaseFacts,
    GuidanceVersion,
    RetriageRun,
    RetriageShard,
    TriageDecision,
)
from .pack import Pack, parse_pack
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
    # No key of the locked rows changes (no delete, no unique column): FOR NO KEY UPDATE
    # on PostgreSQL, which does not hold up inserts of rows referencing them.
    previous = list(
        GuidanceVersion.objects.select_for_update(no_key=True).filter(
            status=GuidanceVersion.Status.ACTIVE
        )
    )
    version = GuidanceVersion.objects.select_for_update(no_key=True).get(pk=version.pk)
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


@transaction.atomic
def case_retriage(
    *, case: Case, actor: User | None, reason: str = TriageDecision.Reason.MANUAL
) -> Decision | None:
    """Triage one case under the active guidance; None when no guidance is active."""
    guidance = selectors.active_guidance()
    if guidance is None:
        return None
    # Lock the case: a fact correction and a re-triage running together must
    # leave the decision made from the latest facts as the case's current one.
    # No key of the locked rows changes (no delete, no unique column): FOR NO KEY UPDATE
    # on PostgreSQL, which does not hold up inserts of rows referencing them.
    case = Case.objects.select_for_update(no_key=True).get(pk=case.pk)
    facts = selectors.facts_with_derived(selectors.case_facts(case), selectors.waiting_since(case))
    # Stored in the site language; the case page re-renders it for the reader.
    decision = selectors.engine_for_version(guidance).decide(facts, language=settings.LANGUAGE_CODE)
    decisions_record(
        decided=[Decided(case.pk, case.pathway, case.priority, decision)],
        outcomes=OutcomeCache(guidance),
        reason=reason,
        actor_id=actor.pk if actor is not None else None,
        cases={case.pk: case},
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
    return decision


@transaction.atomic
def case_facts_update(
    *,
    case: Case,
    changes: dict[str, Any],
    actor: User,
    note: str = "",
    summary: str = "",
    source_extra: dict[str, Any] | None = None,
) -> Decision | None:
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
    # No key of the locked rows changes (no delete, no unique column): FOR NO KEY UPDATE
    # on PostgreSQL, which does not hold up inserts of rows referencing them.
    row, _ = CaseFacts.objects.select_for_update(no_key=True).get_or_create(case=case)
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


def cases_retriage_batch(
    *, run: RetriageRun, shard: RetriageShard, engine: Engine, outcomes: OutcomeCache
) -> int:
    """Re-triage the next batch of a shard's open cases; returns how many were done.

    The caller holds a transaction and the shard's row lock. Reads are plain
    tuples in id order (keyset pagination); decisions_record writes the batch in bulk:
    one COPY of decision rows, one of case events, one UPDATE of the cases whose
    pathway or priority changed.
    """
    cases = selectors.open_cases().filter(id__gt=shard.last_case_id)
    if shard.up_to_case_id is not None:
        cases = cases.filter(id__lte=shard.up_to_case_id)
    # Lock the batch: a correction arriving meanwhile waits, then re-triages
    # from its new facts, so its decision is the latest one.
    # No key of the locked rows changes (no delete, no unique column): FOR NO KEY UPDATE
    # on PostgreSQL, which does not hold up inserts of rows referencing them.
    rows = list(
        cases.order_by("id")
        .select_for_update(no_key=True)
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
    changed = decisions_record(
        decided=[
            Decided(pk, pathway, priority, decision)
            for (pk, pathway, priority, _), decision in zip(rows, decisions, strict=True)
        ],
        outcomes=outcomes,
        reason=TriageDecision.Reason.ACTIVATION,
        actor_id=run.requested_by_id,
        run_id=run.pk,
    )
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
        done=F("done") + len(rows), changed=F("changed") + changed
    )
    return len(rows)
