"""The one writer of triage decisions.

Every path that triages hands the cases it decided to `decisions_record`: intake's new cases
(services_intake.cases_triage_new), one case re-triaged (services.case_retriage: a
correction, a household change, by hand) and every open case after guidance is activated
(services.cases_retriage_batch). So a decision row, its outcome (the explanation and what is
still needed, stored once per distinct content), the case's pathway and priority, its history
event and its audit event are written one way, in a fixed number of statements whatever the
number of cases.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.utils import timezone

from haven.audit.models import AuditAction
from haven.audit.services import audit_record_many
from haven.cases.models import Case, CaseEvent
from haven.common import crypto
from haven.common.fields import with_token

from . import bulk
from .engine import Decision
from .models import DecisionOutcome, GuidanceVersion, TriageDecision
from .pathways import pathway_label

if TYPE_CHECKING:
    from haven.accounts.models import User


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


@dataclass(frozen=True)
class Decided:
    """What the engine decided for one case, with the pathway and priority the case had."""

    case_id: int
    pathway_before: str
    priority_before: int
    decision: Decision


@dataclass(frozen=True)
class Audited:
    """An audit event for each decided case (of `cases`), by `actor`, saying `summary(case)`."""

    actor: User | None
    summary: Callable[[Case], str]


# Rows per INSERT: a re-triage batch (services.BATCH_SIZE) is written in a few statements.
INSERT_BATCH = 2000


def decisions_record(
    *,
    decided: Sequence[Decided],
    outcomes: OutcomeCache,
    reason: str,
    actor_id: int | None,
    run_id: int | None = None,
    cases: Mapping[int, Case] | None = None,
    audited: Audited | None = None,
) -> int:
    """Store the decisions (under the guidance of `outcomes`), and bring their cases in step:
    pathway and priority, history event, audit event (with `audited`). Returns how many
    history events were written. The caller holds the cases' locks; `cases` (by id) are
    instances to keep in step with what was written.

    The re-triage after an activation writes a decision for every open case, in batches of
    services.BATCH_SIZE: each table is written with bulk_create, INSERT_BATCH rows a statement.
    """
    if not decided:
        return 0
    now = timezone.now()
    stamp = connection.ops.adapt_datetimefield_value(now)
    # The re-triage of every open case under new guidance speaks only where a case moves: at
    # a million cases most do not, and their history and rows stay as they were. Any other
    # decision (a first triage, a correction, by hand) is news to its case.
    quiet = reason == TriageDecision.Reason.ACTIVATION
    outcome_ids = outcomes.resolve([d.decision for d in decided])
    TriageDecision.objects.bulk_create(
        [
            TriageDecision(
                case_id=d.case_id,
                guidance_id=outcomes.guidance.pk,
                outcome_id=outcome_id,
                priority=d.decision.priority,
                priority_breakdown=d.decision.priority_breakdown,
                facts_used=d.decision.facts_used,
                reason=reason,
                run_id=run_id,
                actor_id=actor_id,
            )
            for d, outcome_id in zip(decided, outcome_ids, strict=True)
        ],
        batch_size=INSERT_BATCH,
    )
    events = _events(
        [d for d in decided if not quiet or d.pathway_before != d.decision.pathway], actor_id
    )
    moved = [
        d
        for d in decided
        if not quiet or (d.pathway_before, d.priority_before) != _after(d.decision)
    ]
    bulk.update_pathways(
        Case._meta.db_table,
        [(d.case_id, d.decision.pathway, d.decision.priority) for d in moved],
        touched_at=None if quiet else stamp,
    )
    for d in moved:
        case = (cases or {}).get(d.case_id)
        if case is not None:
            case.pathway, case.priority = _after(d.decision)
            if not quiet:
                case.updated_at = now
    if audited is not None and cases:
        audit_record_many(
            actor=audited.actor,
            action=AuditAction.UPDATE,
            entries=[
                (
                    cases[d.case_id],
                    audited.summary(cases[d.case_id]),
                    {
                        "pathway": d.decision.pathway,
                        "priority": d.decision.priority,
                        "guidance": outcomes.guidance.pk,
                    },
                )
                for d in decided
                if d.case_id in cases
            ],
        )
    return events


def _after(decision: Decision) -> tuple[str, int]:
    return decision.pathway, decision.priority


def _events(decided: list[Decided], actor_id: int | None) -> int:
    """The history event of each decided case, INSERT_BATCH a statement."""
    label = functools.lru_cache(maxsize=None)(pathway_label)  # gettext is slow

    # The description is encrypted, as CaseEvent's field stores it. It is the English line
    # of `data`, which is stored in clear beside it, so one token per distinct line gives
    # nothing away and spares an encryption per case (a first activation moves every case).
    @functools.cache
    def encrypted(text: str) -> str:
        return with_token(text, crypto.encrypt(text)) if text else text

    triaged = CaseEvent.Kind.TRIAGED
    CaseEvent.objects.bulk_create(
        [
            CaseEvent(
                case_id=d.case_id,
                kind=triaged,
                actor_id=actor_id,
                description=encrypted(event_text(d.pathway_before, d.decision, label)),
                data=event_data(d.pathway_before, d.decision),
            )
            for d in decided
        ],
        batch_size=INSERT_BATCH,
    )
    return len(decided)
