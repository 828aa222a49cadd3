"""Reads for assignment: a worker's queue ("take next"), caseloads for supervisors."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from haven.accounts import permissions
from haven.accounts.models import Team, User
from haven.intake.models import Relationship

from . import registry
from .models import Case, CaseRequest


def team_condition(teams: list[Team]) -> Q:
    """Cases a set of teams covers: queued for one of them, or (queued for no team) on a
    pathway, in a language or from a province one of them covers."""
    if not teams:
        return Q(pk__in=[])
    by_kind: dict[str, set[str]] = {}
    for team in teams:
        by_kind.setdefault(team.kind, set()).update(str(v) for v in team.values or [])
    covered = Q(pk__in=[])
    if by_kind.get(Team.Kind.PATHWAY):
        covered |= Q(pathway__in=sorted(by_kind[Team.Kind.PATHWAY]))
    if by_kind.get(Team.Kind.LANGUAGE):
        covered |= Q(
            id__in=CaseRequest.objects.filter(
                request__language__in=sorted(by_kind[Team.Kind.LANGUAGE])
            ).values("case_id")
        )
    provinces = by_kind.get(Team.Kind.LOCATION)
    if provinces:
        place = Q()
        for province in sorted(provinces):
            place |= Q(request__person_records__province__iexact=province)
        covered |= Q(
            id__in=CaseRequest.objects.filter(
                place, request__person_records__relationship=Relationship.PRINCIPAL
            ).values("case_id")
        )
    return Q(team__in=[t.pk for t in teams]) | (Q(team__isnull=True) & covered)


def queue_for(*, user: User) -> QuerySet[Case]:
    """Unassigned open cases the user's teams cover, most urgent first, then oldest. Plain
    (no joins, no aggregates) so that take-next can lock the first row it gets."""
    teams = list(user.teams.all())
    return (
        Case.objects.filter(team_condition(teams), assignee__isnull=True, merged_into__isnull=True)
        .exclude(status=Case.Status.CLOSED)
        .order_by("-priority", "created_at", "id")
    )


def queue_size(*, user: User) -> int:
    return queue_for(user=user).count()


def open_case_counts(*, user_ids: list[int], excluding: list[int] = ()) -> dict[int, int]:  # type: ignore[assignment]
    """Open cases assigned to each user (not counting `excluding`, the cases being shared)."""
    rows = (
        Case.objects.filter(assignee_id__in=user_ids)
        .exclude(status=Case.Status.CLOSED)
        .exclude(pk__in=list(excluding))
        .values("assignee_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {r["assignee_id"]: r["n"] for r in rows}


@dataclass(frozen=True)
class Caseload:
    user: User
    open_cases: int
    over_target: int
    oldest_days: int | None
    overdue_tasks: int | None


def caseloads(*, viewer: User, team: Team | None = None) -> list[Caseload]:
    """Every worker (or a team's), with their open cases, how many are past the pathway's
    target, the oldest one's age and (once an app keeps tasks) their overdue tasks. Three
    queries whatever the number of workers."""
    if not permissions.can_view_caseloads(viewer):
        raise PermissionDenied
    workers = User.objects.filter(is_active=True, role__in=permissions.CASEWORK_ROLES)
    if team is not None:
        workers = workers.filter(teams=team)
    open_q = ~Q(assigned_cases__status=Case.Status.CLOSED)
    rows = list(
        workers.annotate(
            open_cases=Count("assigned_cases", filter=open_q, distinct=True),
            oldest=Min("assigned_cases__created_at", filter=open_q),
        ).order_by("username")
    )
    from .selectors import overdue_condition

    over = dict(
        Case.objects.filter(overdue_condition(), assignee__in=[u.pk for u in rows])
        .values("assignee_id")
        .annotate(n=Count("id"))
        .values_list("assignee_id", "n")
        .order_by()
    )
    tasks = registry.overdue_tasks([u.pk for u in rows])
    now = timezone.now()
    return [
        Caseload(
            user=u,
            open_cases=u.open_cases,
            over_target=over.get(u.pk, 0),
            oldest_days=_days(u.oldest, now),
            overdue_tasks=None if tasks is None else tasks.get(u.pk, 0),
        )
        for u in rows
    ]


def _days(since: dt.datetime | None, now: dt.datetime) -> int | None:
    return max(0, (now - since).days) if since is not None else None


def teams_all() -> QuerySet[Team]:
    return Team.objects.order_by("name")
