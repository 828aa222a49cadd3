"""Writing triage for intake's batches: the facts of new cases and their first decision.

Intake hands over hundreds of requests at a time (a spreadsheet chunk, the background
drain); these write each table once per batch, whatever its size.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from haven.cases.models import Case, CaseEvent, CaseMember

from . import evidence, selectors
from .decisions import Audited, Decided, OutcomeCache, decisions_record
from .models import CaseFacts, FactReview, TriageDecision
from .provenance import Contradiction, merge_request_facts
from .services_facts import review_text

if TYPE_CHECKING:
    from haven.accounts.models import User


Answers = list[tuple[int | None, dict[str, Any]]]


def _household_sizes(case_ids: list[int]) -> dict[int, int]:
    """Active members per case (a member folded into another is history, not household)."""
    return dict(
        CaseMember.objects.filter(case_id__in=case_ids, merged_into__isnull=True)
        .values("case_id")
        .annotate(n=Count("id"))
        .values_list("case_id", "n")
    )


def _open_reviews(case_ids: list[int]) -> set[tuple[int, str, str]]:
    return {
        (case_id, fact, repr(value))
        for case_id, fact, value in FactReview.objects.filter(
            case_id__in=case_ids, status=FactReview.Status.OPEN
        ).values_list("case_id", "fact", "new_value")
    }


def case_facts_record_many(
    *, answers: dict[int, Answers], actor: User | None, receipts: dict[int, str] | None = None
) -> tuple[dict[int, dict[str, Any]], set[int]]:
    """Record what intake's requests tell about their cases (case id → (request id,
    answers) in order), by the precedence of provenance.py: unknown facts are taken,
    `dependants` is derived from the household, and a contradiction of a known fact
    becomes new information to review (with a case event) instead of an overwrite.

    Returns each case's facts as now stored and the ids of the cases whose facts changed
    (or are new). A fixed number of statements whatever the number of cases; `receipts`
    (request id → receipt number) names the requests in the case history.
    """
    ids = list(answers)
    rows = {row.case_id: row for row in CaseFacts.objects.filter(case_id__in=ids)}
    sizes = _household_sizes(ids)
    now = timezone.now()  # bulk_update does not apply auto_now
    stored: dict[int, dict[str, Any]] = {}
    changed: set[int] = set()
    updated: list[CaseFacts] = []
    created: list[CaseFacts] = []
    contradictions: list[tuple[int, Contradiction]] = []
    for case_id, given in answers.items():
        row = rows.get(case_id)
        members = sizes.get(case_id)
        merged = merge_request_facts(
            facts=row.facts if row else {},
            sources=row.sources if row else {},
            answers=given,
            dependants=max(members - 1, 0) if members else None,
        )
        stored[case_id] = merged.facts
        contradictions.extend((case_id, c) for c in merged.contradictions)
        if row is None:
            created.append(
                CaseFacts(
                    case_id=case_id, facts=merged.facts, sources=merged.sources, updated_by=actor
                )
            )
            changed.add(case_id)
        elif merged.changed:
            row.facts, row.sources, row.updated_at = merged.facts, merged.sources, now
            updated.append(row)
            changed.add(case_id)
    # Intake's batches are bounded (a spreadsheet chunk, PENDING_BATCH): no batch_size.
    CaseFacts.objects.bulk_update(updated, ["facts", "sources", "updated_at"])
    CaseFacts.objects.bulk_create(created)
    _reviews_record(contradictions, actor, receipts or {})
    return stored, changed


def _reviews_record(
    contradictions: list[tuple[int, Contradiction]], actor: User | None, receipts: dict[int, str]
) -> None:
    """New information to review, once per case, fact and new value while it is open."""
    if not contradictions:
        return
    already = _open_reviews(sorted({case_id for case_id, _ in contradictions}))
    reviews, events = [], []
    for case_id, c in contradictions:
        key = (case_id, c.fact, repr(c.new))
        if key in already:
            continue
        already.add(key)
        reviews.append(
            FactReview(
                case_id=case_id,
                fact=c.fact,
                old_value=c.old,
                new_value=c.new,
                old_source=c.old_source,
                request_id=c.request_id,
            )
        )
        events.append(
            CaseEvent(
                case_id=case_id,
                kind=CaseEvent.Kind.NEW_INFORMATION,
                actor=actor,
                description=review_text(
                    c.fact, c.old, c.new, receipts.get(c.request_id or 0, ""), c.old_source
                )[:500],
            )
        )
    FactReview.objects.bulk_create(reviews)
    CaseEvent.objects.bulk_create(events)


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
    decisions_record(
        decided=[
            Decided(c.pk, c.pathway, c.priority, d) for c, d in zip(cases, decisions, strict=True)
        ],
        outcomes=OutcomeCache(guidance),
        reason=TriageDecision.Reason.INTAKE,
        actor_id=actor.pk if actor is not None else None,
        cases={c.pk: c for c in cases},
        audited=Audited(actor=actor, summary=lambda case: f"Triaged {case.reference} at intake"),
    )
    # The decisions' "still needed" become the cases' checklists (a fixed few statements).
    evidence.checklists_sync(
        guidance=guidance,
        needs={c.pk: list(d.evidence_missing) for c, d in zip(cases, decisions, strict=True)},
        facts=facts,
        actor=actor,
    )
    return len(cases)
