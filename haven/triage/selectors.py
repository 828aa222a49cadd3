"""Reading triage: the active guidance, a case's decision, queues, previews.

Functions taking a `user` enforce access; the others serve services and tasks.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import F, Min, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from haven.cases.models import Case
from haven.intake.models import Request

from .engine import Decision, Engine, engine_for
from .models import CaseFacts, FactReview, GuidanceVersion, RetriageRun, TriageDecision
from .pack import Pack, parse_pack
from .pathways import PATHWAYS
from .permissions import can_correct_facts, can_review_guidance, can_view_triage

if TYPE_CHECKING:
    from haven.accounts.permissions import AnyUser

_PACKS: dict[str, Pack] = {}


def stored_pack(version: GuidanceVersion) -> Pack:
    """The pack as stored and validated, parsed once per process."""
    pack = _PACKS.get(version.sha256)
    if pack is None:
        if len(_PACKS) >= 16:
            _PACKS.clear()
        pack = _PACKS[version.sha256] = parse_pack(version.source, version.label)
    return pack


def parsed_packs() -> list[Pack]:
    """The packs parsed in this process so far, oldest first."""
    return list(_PACKS.values())


def engine_for_version(version: GuidanceVersion) -> Engine:
    return engine_for(stored_pack(version))


def active_guidance() -> GuidanceVersion | None:
    return GuidanceVersion.objects.filter(status=GuidanceVersion.Status.ACTIVE).first()


def facts_the_active_guidance_reads() -> frozenset[str] | None:
    """The facts the active pack's rules and priority read (for intake's eligibility
    questions), or None when no guidance is active."""
    version = active_guidance()
    if version is None:
        return None
    pack = stored_pack(version)
    used = {name for rule in pack.rules for name in rule.facts}
    if pack.priority.vulnerabilities:
        used.add("vulnerabilities")
    return frozenset(used)


def open_cases() -> QuerySet[Case]:
    return Case.objects.exclude(status=Case.Status.CLOSED)


def with_waiting_since(cases: QuerySet[Case]) -> QuerySet[Case]:
    """Waiting starts when the first request about the case came in."""
    return cases.annotate(
        waiting_since=Coalesce(Min("case_requests__request__received_at"), F("created_at"))
    )


def _first_requests(**where: Any) -> dict[int, dt.datetime]:
    from haven.cases.models import CaseRequest

    return dict(
        CaseRequest.objects.filter(**where)
        .values("case_id")
        .annotate(first=Min("request__received_at"))
        .values_list("case_id", "first")
        .order_by()
    )


def first_requests(*, after: int, up_to: int) -> dict[int, dt.datetime]:
    """When the first request came in, for the cases after < id <= up_to that have
    one (the others wait since their creation, as in with_waiting_since)."""
    return _first_requests(case_id__gt=after, case_id__lte=up_to)


def waiting_since_many(case_ids: list[int]) -> dict[int, dt.datetime]:
    """When the first request came in, for the given cases that have one."""
    return _first_requests(case_id__in=case_ids)


def days_between(since: dt.datetime | None, now: dt.datetime) -> int:
    return max(0, (now - since).days) if since is not None else 0


def facts_with_derived(facts: dict[str, Any], since: dt.datetime | None) -> dict[str, Any]:
    return {**facts, "days_waiting": days_between(since, timezone.now())}


def case_facts(case: Case) -> dict[str, Any]:
    row = CaseFacts.objects.filter(case=case).first()
    return dict(row.facts) if row is not None else {}


def waiting_since(case: Case) -> dt.datetime | None:
    annotated = with_waiting_since(Case.objects.filter(pk=case.pk)).first()
    return getattr(annotated, "waiting_since", None)


def latest_decision(case: Case) -> TriageDecision | None:
    return (
        TriageDecision.objects.filter(case=case)
        .select_related("guidance", "outcome")
        .order_by("-id")
        .first()
    )


@dataclass(frozen=True)
class CaseTriage:
    decision: TriageDecision | None
    facts: dict[str, Any]
    history: list[TriageDecision]
    active: GuidanceVersion | None
    # Where each fact came from (provenance.py), and new information still to review.
    sources: dict[str, Any] = field(default_factory=dict)
    reviews: list[FactReview] = field(default_factory=list)
    # Receipt numbers of the requests named by sources and reviews, by request id.
    receipts: dict[int, str] = field(default_factory=dict)


def case_triage(*, case: Case, user: AnyUser) -> CaseTriage:
    if not can_view_triage(user):
        raise PermissionDenied
    history = list(
        TriageDecision.objects.filter(case=case)
        .select_related("guidance", "outcome")
        .order_by("-id")[:10]
    )
    row = CaseFacts.objects.filter(case=case).first()
    sources = dict(row.sources) if row is not None else {}
    reviews = list(
        FactReview.objects.filter(case=case, status=FactReview.Status.OPEN).order_by("id")
    )
    named = {r.request_id for r in reviews if r.request_id} | {
        entry["request"]
        for entry in sources.values()
        if isinstance(entry, dict) and isinstance(entry.get("request"), int)
    }
    receipts = (
        dict(Request.objects.filter(pk__in=named).values_list("pk", "receipt_number"))
        if named
        else {}
    )
    return CaseTriage(
        decision=history[0] if history else None,
        facts=dict(row.facts) if row is not None else {},
        history=history,
        active=active_guidance(),
        sources=sources,
        reviews=reviews,
        receipts=receipts,
    )


def fact_review_get(*, user: AnyUser, case_id: int, pk: int) -> FactReview:
    """An open or decided item of new information on a case, for a user who may decide it:
    PermissionDenied (403) otherwise, FactReview.DoesNotExist (404) when not on that case."""
    if not can_correct_facts(user):
        raise PermissionDenied
    return FactReview.objects.select_related("case", "request").get(pk=pk, case_id=case_id)


# -- preview -------------------------------------------------------------------
@dataclass(frozen=True)
class PreviewRow:
    case_id: int
    reference: str
    from_pathway: str
    to_pathway: str
    from_priority: int
    to_priority: int
    rule: str


@dataclass
class Preview:
    guidance: str
    open_cases: int = 0
    changes: Counter[tuple[str, str]] = field(default_factory=Counter)
    rows: list[PreviewRow] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return sum(self.changes.values())


def decide_open_cases(engine: Engine, chunk: int = 2000) -> Iterator[tuple[Case, Decision]]:
    """Every open case with what the engine decides for it; nothing is written."""
    cases = with_waiting_since(open_cases()).order_by("id")
    last_id = 0
    while True:
        batch = list(cases.filter(id__gt=last_id)[:chunk])
        if not batch:
            return
        facts = dict(
            CaseFacts.objects.filter(case_id__in=[c.pk for c in batch]).values_list(
                "case_id", "facts"
            )
        )
        for case in batch:
            known = facts_with_derived(facts.get(case.pk, {}), case.waiting_since)  # type: ignore[attr-defined]
            yield case, engine.decide(known)
        last_id = batch[-1].pk


def preview_changes(*, pack: Pack) -> Preview:
    """What activating the pack would change for the open cases (a dry run)."""
    preview = Preview(guidance=pack.label)
    for case, decision in decide_open_cases(engine_for(pack)):
        preview.open_cases += 1
        if decision.pathway == case.pathway:
            continue
        preview.changes[(case.pathway, decision.pathway)] += 1
        preview.rows.append(
            PreviewRow(
                case_id=case.pk,
                reference=case.reference,
                from_pathway=case.pathway,
                to_pathway=decision.pathway,
                from_priority=case.priority,
                to_priority=decision.priority,
                rule=decision.rule,
            )
        )
    return preview


# -- guidance pages ------------------------------------------------------------
def guidance_versions(*, user: AnyUser) -> list[GuidanceVersion]:
    if not can_review_guidance(user):
        raise PermissionDenied
    return list(GuidanceVersion.objects.order_by("pack", "-effective_date", "-id"))


def guidance_version(*, user: AnyUser, pk: int) -> GuidanceVersion:
    if not can_review_guidance(user):
        raise PermissionDenied
    return GuidanceVersion.objects.get(pk=pk)


def latest_run(version: GuidanceVersion) -> RetriageRun | None:
    return RetriageRun.objects.filter(guidance=version).order_by("-id").first()


def run_for(*, user: AnyUser, pk: int) -> RetriageRun:
    if not can_review_guidance(user):
        raise PermissionDenied
    return RetriageRun.objects.select_related("guidance").get(pk=pk)


# -- queues --------------------------------------------------------------------
@dataclass(frozen=True)
class QueueSummary:
    pathway: str
    label: str
    count: int
    overdue: int
    oldest_days: int
    target_days: int | None


def pathway_targets() -> dict[str, int]:
    active = active_guidance()
    return dict(stored_pack(active).pathway_targets_days) if active is not None else {}


def queue_summaries(*, user: AnyUser) -> list[QueueSummary]:
    if not can_view_triage(user):
        raise PermissionDenied
    now = timezone.now()
    targets = pathway_targets()
    rows = (
        with_waiting_since(open_cases().exclude(pathway=""))
        .values_list("pathway", "waiting_since")  # type: ignore[misc]
        .order_by()
    )
    ages: dict[str, list[int]] = {}
    for pathway, since in rows:
        ages.setdefault(pathway, []).append(days_between(since, now))
    summaries = []
    for pathway in [p for p in PATHWAYS if p in ages] + sorted(set(ages) - set(PATHWAYS)):
        target = targets.get(pathway)
        values = ages[pathway]
        summaries.append(
            QueueSummary(
                pathway=pathway,
                label=str(PATHWAYS.get(pathway, pathway)),
                count=len(values),
                overdue=sum(1 for a in values if target is not None and a > target),
                oldest_days=max(values),
                target_days=target,
            )
        )
    return summaries


@dataclass(frozen=True)
class QueueItem:
    case: Case
    age_days: int
    target_days: int | None

    @property
    def overdue(self) -> bool:
        return self.target_days is not None and self.age_days > self.target_days


def queue_cases(*, user: AnyUser, pathway: str) -> QuerySet[Case]:
    """Open cases on one pathway, most urgent first, oldest first among equals."""
    if not can_view_triage(user):
        raise PermissionDenied
    return (
        with_waiting_since(open_cases().filter(pathway=pathway))
        .select_related("assignee")
        .order_by("-priority", "waiting_since", "id")
    )


def queue_items(cases: list[Case], pathway: str) -> list[QueueItem]:
    now = timezone.now()
    target = pathway_targets().get(pathway)
    return [
        QueueItem(case=c, age_days=days_between(c.waiting_since, now), target_days=target)  # type: ignore[attr-defined]
        for c in cases
    ]
