"""Writing triage: storing and activating guidance, triaging cases, correcting facts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from haven.audit.models import AuditAction
from haven.audit.services import audit_record
from haven.cases.models import Case, CaseEvent

from . import selectors
from .engine import Decision, Engine
from .facts import FactsError, clean_facts
from .models import CaseFacts, GuidanceVersion, RetriageRun, TriageDecision
from .pack import Pack, parse_pack
from .pathways import pathway_label
from .permissions import can_correct_facts, can_manage_guidance

if TYPE_CHECKING:
    from haven.accounts.models import User

BATCH_SIZE = 2000


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


def guidance_activate(*, version: GuidanceVersion, actor: User) -> RetriageRun:
    """Put a stored version in force and re-triage every open case in the background.

    Re-activating a previous version is the same operation.
    """
    if not can_manage_guidance(actor):
        guidance_activation_refuse(label=version.label, actor=actor, version=version)
    return _guidance_activate(version=version, actor=actor)


@transaction.atomic
def _guidance_activate(*, version: GuidanceVersion, actor: User) -> RetriageRun:
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
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=version,
        summary=f"Activated guidance {version.label}",
        details={"previous": [old.label for old in previous], "run": run.pk, "open": run.total},
    )
    from .tasks import retriage_open_cases

    transaction.on_commit(lambda: retriage_open_cases.enqueue(run.pk))
    return run


def _decision_row(
    *, case: Case, decision: Decision, guidance: GuidanceVersion, reason: str, **extra: Any
) -> TriageDecision:
    return TriageDecision(
        case=case,
        guidance=guidance,
        rule=decision.rule,
        pathway=decision.pathway,
        next_action=decision.next_action,
        evidence_missing=list(decision.evidence_missing),
        requires_third_country=decision.requires_third_country,
        priority=decision.priority,
        priority_breakdown=decision.priority_breakdown,
        facts_used=decision.facts_used,
        explanation=decision.explanation,
        reason=reason,
        **extra,
    )


def _event_text(before: str, decision: Decision) -> str:
    after = pathway_label(decision.pathway)
    if before and before != decision.pathway:
        return f"{pathway_label(before)} → {after} ({decision.guidance}, rule {decision.rule})"
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
    row = _decision_row(case=case, decision=decision, guidance=guidance, reason=reason, actor=actor)
    row.save()
    before = case.pathway
    case.pathway, case.priority = decision.pathway, decision.priority
    case.save(update_fields=["pathway", "priority", "updated_at"])
    CaseEvent.objects.create(
        case=case,
        kind=CaseEvent.Kind.TRIAGED,
        actor=actor,
        description=_event_text(before, decision),
    )
    return row


@transaction.atomic
def case_facts_update(
    *, case: Case, changes: dict[str, Any], actor: User, note: str = ""
) -> TriageDecision | None:
    """Correct some facts (None makes a fact unknown), audit it, and re-triage.

    Raises FactsError naming the fact when a value does not fit the schema.
    """
    if not can_correct_facts(actor):
        raise PermissionDenied
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
    row.facts, row.updated_by = after, actor
    row.save(update_fields=["facts", "updated_by", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=row,
        summary=f"Corrected triage facts of case {case.reference}",
        details={"case": case.pk, "changes": diff, "note": note[:500]},
    )
    return case_retriage(case=case, actor=actor, reason=TriageDecision.Reason.CORRECTION)


def case_facts_record(*, case: Case, facts: dict[str, Any], actor: User | None) -> CaseFacts:
    """Store facts gathered at intake for a new case (already checked by the caller)."""
    row, created = CaseFacts.objects.get_or_create(
        case=case, defaults={"facts": facts, "updated_by": actor}
    )
    if not created:
        row.facts = {**row.facts, **facts}
        row.save(update_fields=["facts", "updated_at"])
    return row


def _cases_update(cases: list[Case]) -> None:
    """One UPDATE per (pathway, priority) pair: far cheaper than bulk_update's
    CASE WHEN per row, since a batch holds few distinct pairs."""
    groups: dict[tuple[str, int], list[int]] = {}
    for case in cases:
        groups.setdefault((case.pathway, case.priority), []).append(case.pk)
    for (pathway, priority), ids in groups.items():
        Case.objects.filter(pk__in=ids).update(pathway=pathway, priority=priority)


@transaction.atomic
def cases_retriage_batch(*, run: RetriageRun, engine: Engine) -> int:
    """Re-triage the next batch of open cases for a run; returns how many were done.

    Whole batches go through bulk writes: saving a million cases one by one
    would take hours.
    """
    # Lock the batch: a correction arriving meanwhile waits, then re-triages
    # from its new facts, so its decision is the latest one.
    # (Locked apart from the aggregate: PostgreSQL refuses FOR UPDATE with GROUP BY.)
    ids = list(
        selectors.open_cases()
        .filter(id__gt=run.last_case_id)
        .order_by("id")
        .select_for_update()
        .values_list("id", flat=True)[:BATCH_SIZE]
    )
    cases = list(selectors.with_waiting_since(Case.objects.filter(id__in=ids)).order_by("id"))
    if not cases:
        return 0
    facts = dict(
        CaseFacts.objects.filter(case_id__in=[c.pk for c in cases]).values_list("case_id", "facts")
    )
    decisions, events, updated = [], [], []
    for case in cases:
        known = selectors.facts_with_derived(facts.get(case.pk, {}), case.waiting_since)  # type: ignore[attr-defined]
        decision = engine.decide(known, language=settings.LANGUAGE_CODE)
        decisions.append(
            _decision_row(
                case=case,
                decision=decision,
                guidance=run.guidance,
                reason=TriageDecision.Reason.ACTIVATION,
                run=run,
                actor=run.requested_by,
            )
        )
        if case.pathway != decision.pathway:
            run.changed += 1
            events.append(
                CaseEvent(
                    case=case,
                    kind=CaseEvent.Kind.TRIAGED,
                    actor=run.requested_by,
                    description=_event_text(case.pathway, decision),
                )
            )
        if (case.pathway, case.priority) != (decision.pathway, decision.priority):
            case.pathway, case.priority = decision.pathway, decision.priority
            updated.append(case)
    TriageDecision.objects.bulk_create(decisions)
    CaseEvent.objects.bulk_create(events)
    _cases_update(updated)
    run.done += len(cases)
    run.last_case_id = cases[-1].pk
    run.save(update_fields=["done", "changed", "last_case_id"])
    return len(cases)
