"""Reads of cases. Every view goes through these; they decide who sees what."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Case as DbCase
from django.db.models import (
    Count,
    F,
    FloatField,
    Max,
    Min,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from haven.accounts import permissions
from haven.accounts.models import User
from haven.audit.models import AuditAction
from haven.audit.services import audit_record
from haven.common import crypto
from haven.intake.models import Identifier, PersonRecord, Relationship, Request
from haven.resolution.models import Person, PersonLink, RecordVersion

from . import event_text, registry, search_rank
from .models import Case, CaseEvent, CaseMember, CaseMerge, CaseRequest, Note, SavedSearch


@dataclass(frozen=True)
class CaseFilters:
    q: str = ""
    status: str = ""
    channel: str = ""
    received_from: dt.date | None = None
    received_to: dt.date | None = None
    # The slices the dashboard links to (haven.reports): every figure opens its cases here.
    pathway: str = ""  # "none": not yet triaged
    assignee: str = ""  # a user id, or "none": not assigned
    team: int | None = None
    province: str = ""
    is_open: bool = False
    first_from: dt.date | None = None  # the case's first request, local date
    first_to: dt.date | None = None
    data_entry: bool = False
    priority_min: int | None = None
    priority_max: int | None = None
    assigned_team: str = ""  # a Team id, or "none"
    open_referral: bool = False
    overdue: bool = False


# The list's sortable columns: name in the address → order (the last key makes it total).
SORTS: dict[str, tuple[str, ...]] = {
    "reference": ("id",),
    "-reference": ("-id",),
    "priority": ("priority", "id"),
    "-priority": ("-priority", "id"),
    "age": ("-waiting_since", "-id"),
    "-age": ("waiting_since", "id"),
    "status": ("status", "-id"),
    "-status": ("-status", "-id"),
    "pathway": ("pathway", "-id"),
    "-pathway": ("-pathway", "-id"),
    "assignee": ("assignee__username", "-id"),
    "-assignee": ("-assignee__username", "-id"),
    "received": ("last_received", "-id"),
    "-received": ("-last_received", "-id"),
}
DEFAULT_SORT = "-reference"


def overdue_condition(now: dt.datetime | None = None) -> Q:
    """Open cases waiting longer than their pathway's target (from the active guidance):
    the first request came in, or (with none) the case was opened, before the target's cut-off.
    Nothing is overdue on a pathway without a target."""
    now = now or timezone.now()
    condition = Q(pk__in=[])
    for pathway, days in registry.pathway_targets().items():
        cutoff = now - dt.timedelta(days=days)
        condition |= Q(pathway=pathway) & (
            Q(id__in=CaseRequest.objects.filter(request__received_at__lt=cutoff).values("case_id"))
            | (Q(created_at__lt=cutoff) & ~Q(id__in=CaseRequest.objects.values("case_id")))
        )
    return condition & ~Q(status=Case.Status.CLOSED)


def _assignment_slices(cases: QuerySet[Case], filters: CaseFilters, user: User) -> QuerySet[Case]:
    if filters.assignee == "me":
        cases = cases.filter(assignee_id=user.pk)
    if filters.assigned_team == "none":
        cases = cases.filter(team__isnull=True)
    elif filters.assigned_team.isdigit():
        cases = cases.filter(team_id=int(filters.assigned_team))
    if filters.priority_min is not None:
        cases = cases.filter(priority__gte=filters.priority_min)
    if filters.priority_max is not None:
        cases = cases.filter(priority__lte=filters.priority_max)
    referral = registry.condition("open_referral")
    if filters.open_referral and referral is not None:
        cases = cases.filter(referral.build())
    if filters.overdue:
        cases = cases.filter(overdue_condition())
    return cases


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _report_slices(cases: QuerySet[Case], filters: CaseFilters) -> QuerySet[Case]:
    if filters.pathway:
        cases = cases.filter(pathway="" if filters.pathway == "none" else filters.pathway)
    if filters.assignee == "none":
        cases = cases.filter(assignee__isnull=True)
    elif filters.assignee.isdigit():
        cases = cases.filter(assignee_id=int(filters.assignee))
    if filters.team:
        cases = cases.filter(assignee__organization_id=filters.team)
    if filters.is_open:
        cases = cases.exclude(status=Case.Status.CLOSED)
    if filters.province:
        cases = cases.filter(
            id__in=CaseRequest.objects.filter(
                request__person_records__relationship=Relationship.PRINCIPAL,
                request__person_records__province__iexact=filters.province,
            ).values("case_id")
        )
    if filters.data_entry:
        cases = cases.filter(
            id__in=CaseRequest.objects.filter(request__needs_data_entry=True).values("case_id")
        )
    if filters.first_from or filters.first_to:
        waiting = Case.objects.annotate(
            since=Coalesce(Min("case_requests__request__received_at"), F("created_at"))
        )
        if filters.first_from:
            waiting = waiting.filter(since__gte=_local_midnight(filters.first_from))
        if filters.first_to:
            waiting = waiting.filter(since__lt=_local_midnight(filters.first_to + dt.timedelta(1)))
        cases = cases.filter(id__in=waiting.values("id"))
    return cases


def _visible_cases(user: User) -> QuerySet[Case]:
    if permissions.can_view_cases(user):
        return Case.objects.all()
    # Partner users will see cases referred to their organisation once referrals exist.
    return Case.objects.none()


def cases_filtered(
    *, user: User, filters: CaseFilters, ranks: dict[int, float] | None = None
) -> QuerySet[Case]:
    """The cases these filters select among those the user may see (no audit: the caller
    records the read). `ranks` are the search term's cases, if the caller has them."""
    if not permissions.can_view_cases(user):
        raise PermissionDenied
    cases = _visible_cases(user)
    if filters.q.strip():
        ranks = ranks if ranks is not None else search_rank.case_search_ranks(filters.q)
        cases = cases.filter(search_rank.search_condition(ranks))
    request_condition = Q()
    if filters.channel:
        request_condition &= Q(request__channel=filters.channel)
    if filters.received_from:
        request_condition &= Q(request__received_at__date__gte=filters.received_from)
    if filters.received_to:
        request_condition &= Q(request__received_at__date__lte=filters.received_to)
    if request_condition:
        cases = cases.filter(id__in=CaseRequest.objects.filter(request_condition).values("case_id"))
    if filters.status:
        cases = cases.filter(status=filters.status)
    cases = _report_slices(cases, filters)
    return _assignment_slices(cases, filters, user)


def case_list(*, user: User, filters: CaseFilters, sort: str = DEFAULT_SORT) -> QuerySet[Case]:
    """The list page's cases; a search term's are ordered by how well they match unless
    another order is asked for."""
    if not permissions.can_view_cases(user):
        raise PermissionDenied
    ranks = search_rank.case_search_ranks(filters.q) if filters.q.strip() else None
    cases = cases_filtered(user=user, filters=filters, ranks=ranks)
    if filters.q.strip():
        # What was searched for is exactly what an audit must show, and is itself an
        # identifier: the trail keeps its keyed hash (cases/search.py), never the term.
        audit_record(
            actor=user,
            action=AuditAction.SEARCH,
            object_type="cases.case",
            summary="Case search",
            details={
                "q_hash": crypto.search_term_hash(filters.q),
                "status": filters.status,
                "channel": filters.channel,
            },
        )
    else:
        # The list shows names: reading it is a read of personal data, one event per page.
        audit_record(
            actor=user,
            action=AuditAction.VIEW,
            object_type="cases.case",
            summary="Case list",
            details={"status": filters.status, "channel": filters.channel},
        )
    return (
        cases.select_related("assignee", "team")
        .annotate(
            member_count=Count(
                "members", filter=Q(members__merged_into__isnull=True), distinct=True
            ),
            request_count=Count("case_requests", distinct=True),
            last_received=Max("case_requests__request__received_at"),
            waiting_since=Coalesce(Min("case_requests__request__received_at"), F("created_at")),
        )
        .order_by(*_order(sort, ranks))
    )


def _order(sort: str, ranks: dict[int, float] | None) -> tuple[Any, ...]:
    if ranks and sort == DEFAULT_SORT:
        # Best match first; equal scores newest first.
        rank = DbCase(
            *(When(pk=pk, then=Value(score)) for pk, score in ranks.items()),
            default=Value(0.0),
            output_field=FloatField(),
        )
        return (rank.desc(), "-id")
    return SORTS.get(sort, SORTS[DEFAULT_SORT])


@dataclass(frozen=True)
class Ageing:
    days: int
    target_days: int | None

    @property
    def overdue(self) -> bool:
        return self.target_days is not None and self.days > self.target_days


@dataclass(frozen=True)
class CaseRow:
    """One line of the case list: the case (annotated by case_list) and how long it has waited."""

    case: Case
    ageing: Ageing


def case_rows(cases: list[Case], now: dt.datetime | None = None) -> list[CaseRow]:
    """The case list's lines for a page annotated by case_list: days waiting since the first
    request, against the pathway's target. No query but the targets' own."""
    now = now or timezone.now()
    targets = registry.pathway_targets()
    rows = []
    for case in cases:
        # `waiting_since` is case_list's annotation; a case from elsewhere counts from creation.
        since = getattr(case, "waiting_since", None) or case.created_at
        target = targets.get(case.pathway) if case.status != Case.Status.CLOSED else None
        ageing = Ageing(days=max(0, (now - since).days), target_days=target)
        rows.append(CaseRow(case=case, ageing=ageing))
    return rows


def case_get(*, user: User, case_id: int) -> Case:
    """A case the user may see, or 404 (403 for a role that sees no cases at all)."""
    if not permissions.can_view_cases(user):
        raise PermissionDenied
    case = (
        _visible_cases(user)
        .select_related("assignee", "team", "principal", "merged_into")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise Http404
    return case


def case_get_for_detail(*, user: User, case_id: int) -> Case:
    case = case_get(user=user, case_id=case_id)
    audit_record(actor=user, action=AuditAction.VIEW, obj=case, summary=f"Viewed {case.reference}")
    return case


@dataclass(frozen=True)
class MemberView:
    member: CaseMember
    records: list[PersonRecord]


def case_members(*, case: Case) -> list[MemberView]:
    """Members with every record linked to them now, identifiers included, in few queries.

    Rows folded into another member by a merge of people are history, not household."""
    members = list(
        case.members.filter(merged_into__isnull=True).select_related("person").order_by("id")
    )
    links = (
        PersonLink.objects.filter(person__in=[m.person for m in members], ended_at__isnull=True)
        .select_related("person_record__request")
        .prefetch_related(
            Prefetch("person_record__identifiers", queryset=Identifier.objects.all()),
            # Staff corrections (resolution.RecordVersion), newest first: the first one counts.
            Prefetch("person_record__versions", queryset=RecordVersion.objects.order_by("-number")),
        )
    )
    by_person: dict[int, list[PersonRecord]] = {}
    for link in links:
        by_person.setdefault(link.person_id, []).append(link.person_record)
    return [MemberView(member=m, records=by_person.get(m.person_id, [])) for m in members]


def case_requests(*, case: Case) -> QuerySet[Request]:
    return (
        Request.objects.filter(case_links__case=case)
        # An imported e-mail's flags are shown with its request.
        .select_related(
            "requester__organization", "entered_by", "mail_message", "mail_part__message"
        )
        .prefetch_related("person_records")
        .order_by("received_at")
    )


def case_notes(*, case: Case, user: User) -> QuerySet[Note]:
    """The notes this user may read: restricted ones only for those who work cases (an
    intake officer reads the others; partners see no case, so no note)."""
    if not permissions.can_view_cases(user):
        return case.notes.none()
    notes = case.notes.select_related("author")
    if not permissions.can_read_restricted_notes(user):
        notes = notes.filter(restricted=False)
    return notes


@dataclass(frozen=True)
class HistoryLine:
    """One event of a case's history and its line in the reader's language."""

    event: CaseEvent
    text: str


def case_history(*, case: Case, limit: int = 100) -> list[HistoryLine]:
    """The case's events, newest first, each with its line naming the people it mentions
    (one query for all of their names)."""
    events = list(case.events.select_related("actor")[:limit])
    ids = set().union(*(event_text.person_ids(e.data) for e in events))
    names = dict(Person.objects.filter(pk__in=ids).values_list("pk", "display_name")) if ids else {}
    return [HistoryLine(event=e, text=e.text_naming(names)) for e in events]


@dataclass(frozen=True)
class PossibleDuplicate:
    case: Case
    people: list[Person]


def case_possible_duplicates(*, user: User, case: Case) -> list[PossibleDuplicate]:
    """Other open cases the user may see that share a person with this open case: perhaps
    one household worked twice, after a merge of people or a batch run. One query."""
    if case.status == Case.Status.CLOSED:
        return []
    shared = (
        CaseMember.objects.filter(
            person_id__in=case.members.filter(merged_into__isnull=True).values("person_id"),
            merged_into__isnull=True,
            case_id__in=_visible_cases(user).values("pk"),
        )
        .exclude(case_id=case.pk)
        .exclude(case__status=Case.Status.CLOSED)
        .select_related("case", "person")
        .order_by("case_id", "person_id")
    )
    found: dict[int, PossibleDuplicate] = {}
    for member in shared:
        found.setdefault(member.case_id, PossibleDuplicate(case=member.case, people=[]))
        found[member.case_id].people.append(member.person)
    return list(found.values())


@dataclass(frozen=True)
class MergeSide:
    """One case as the merge confirmation shows it."""

    case: Case
    members: list[MemberView]
    requests: list[Request]
    notes: int
    documents: int


def _merge_side(case: Case) -> MergeSide:
    return MergeSide(
        case=case,
        members=case_members(case=case),
        requests=list(case_requests(case=case)),
        notes=case.notes.count(),
        documents=case.documents.count(),
    )


def case_merge_compare(
    *, user: User, source_id: int, target_id: int
) -> tuple[MergeSide, MergeSide]:
    """Both cases of a proposed merge, side by side, for a supervisor: one audited read."""
    if not permissions.can_merge_cases(user):
        raise PermissionDenied
    source = case_get(user=user, case_id=source_id)
    target = case_get(user=user, case_id=target_id)
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        obj=source,
        summary=f"Compared {source.reference} with {target.reference} to merge them",
        details={"target": target.pk},
    )
    return _merge_side(source), _merge_side(target)


def case_merge_get(*, user: User, merge_id: int) -> CaseMerge:
    """A merge of cases, for a supervisor to undo (403 for other roles, 404 if none)."""
    if not permissions.can_merge_cases(user):
        raise PermissionDenied
    merge = (
        CaseMerge.objects.select_related("source", "target", "created_by")
        .filter(pk=merge_id, source__in=_visible_cases(user), target__in=_visible_cases(user))
        .first()
    )
    if merge is None:
        raise Http404
    return merge


def case_merges_active(*, case: Case) -> list[CaseMerge]:
    """Merges into or out of this case that stand (not undone), newest first."""
    return list(
        CaseMerge.objects.filter(Q(source=case) | Q(target=case), undone_at__isnull=True)
        .select_related("source", "target", "created_by")
        .order_by("-created_at", "-id")
    )


def saved_searches(*, user: User) -> list[SavedSearch]:
    """The user's own saved searches, nobody else's."""
    if not permissions.can_view_cases(user):
        return []
    return list(SavedSearch.objects.filter(owner=user).order_by("id"))


def saved_search_get(*, user: User, pk: int) -> SavedSearch:
    found = SavedSearch.objects.filter(owner=user, pk=pk).first() if user.pk else None
    if found is None:
        raise Http404
    return found


def case_ids_visible(*, user: User, case_ids: list[int]) -> list[int]:
    """The ids among these of cases the user may see (a tampered list loses the others)."""
    if not permissions.can_view_cases(user):
        raise PermissionDenied
    return list(_visible_cases(user).filter(pk__in=case_ids).values_list("pk", flat=True))
