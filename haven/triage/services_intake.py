"""Writing triage for intake's batches: the facts of new cases and their first decision.

Intake hands over hundreds of requests at a time (a spreadsheet chunk, the background
drain); these write each table once per batch, whatever its size.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils import timezone

from haven.audit.models import AuditAction
from haven.audit.services import audit_record_many
from haven.cases.models import Case, CaseEvent
from haven.common.bulk import insert_instances, update_instances

from . import selectors
from .models import CaseFacts, TriageDecision
from .services import OutcomeCache, event_data, event_text

if TYPE_CHECKING:
    from haven.accounts.models import User


def case_facts_record_many(
    *, facts: dict[int, dict[str, Any]], actor: User | None
) -> dict[int, dict[str, Any]]:
    """case_facts_record for many cases (ids → facts gathered at intake); returns each
    case's facts as now stored. Two or three statements whatever the number of cases."""
    rows = {row.case_id: row for row in CaseFacts.objects.filter(case_id__in=list(facts))}
    now = timezone.now()  # update_instances does not apply auto_now
    for case_id, row in rows.items():
        row.facts, row.updated_at = {**row.facts, **facts[case_id]}, now
    update_instances(list(rows.values()), ["facts", "updated_at"])
    insert_instances(
        [
            CaseFacts(case_id=case_id, facts=given, updated_by=actor)
            for case_id, given in facts.items()
            if case_id not in rows
        ]
    )
    return {
        case_id: rows[case_id].facts if case_id in rows else given
        for case_id, given in facts.items()
    }


def cases_triage_new(
    *, cases: list[Case], facts: dict[int, dict[str, Any]], actor: User | None
) -> int:
    """Triage cases intake has just opened or joined (the caller holds their locks, in the
    intake transaction); returns how many were decided (none without active guidance)."""
    guidance = selectors.active_guidance()
    if guidance is None or not cases:
        return 0
    engine = selectors.engine_for_version(guidance)
    since = selectors.waiting_since_many([c.pk for c in cases])
    now, language = timezone.now(), settings.LANGUAGE_CODE
    decisions = [
        engine.decide(
            {
                **facts.get(c.pk, {}),
                "days_waiting": selectors.days_between(since.get(c.pk, c.created_at), now),
            },
            language=language,
        )
        for c in cases
    ]
    outcome_ids = OutcomeCache(guidance).resolve(decisions)
    rows, events = [], []
    for case, decision, outcome_id in zip(cases, decisions, outcome_ids, strict=True):
        rows.append(
            TriageDecision(
                case=case,
                guidance=guidance,
                outcome_id=outcome_id,
                priority=decision.priority,
                priority_breakdown=decision.priority_breakdown,
                facts_used=decision.facts_used,
                reason=TriageDecision.Reason.INTAKE,
                actor=actor,
            )
        )
        events.append(
            CaseEvent(
                case=case,
                kind=CaseEvent.Kind.TRIAGED,
                actor=actor,
                description=event_text(case.pathway, decision),
                data=event_data(case.pathway, decision),
            )
        )
        case.pathway, case.priority, case.updated_at = decision.pathway, decision.priority, now
    insert_instances(rows)
    insert_instances(events)
    update_instances(cases, ["pathway", "priority", "updated_at"])
    audit_record_many(
        actor=actor,
        action=AuditAction.UPDATE,
        entries=[
            (
                case,
                f"Triaged {case.reference} at intake",
                {"pathway": case.pathway, "priority": case.priority, "guidance": guidance.pk},
            )
            for case in cases
        ],
    )
    return len(rows)
