"""Assigning cases: to a user, to a team, singly, in bulk, from the queue, or balanced across a
team. Every change is a case event (the history) and an audit event, in the same transaction."""

from __future__ import annotations

from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.accounts import permissions
from haven.accounts.models import Team, User
from haven.audit.models import AuditAction
from haven.audit.services import audit_record_many

from . import selectors_assignment
from .models import Case, CaseEvent

Keep = Literal["keep"]


class AssignmentRefused(ValidationError):
    """The assignment cannot be made; the message says why, in plain words."""


def assignee_check(assignee: User) -> None:
    """Refuse an assignee who could not work on the case."""
    if not assignee.is_active:
        raise AssignmentRefused(
            _("%(user)s's account is deactivated: choose someone else.") % {"user": assignee}
        )
    if not permissions.can_be_assigned_cases(assignee):
        raise AssignmentRefused(
            _(
                "%(user)s (%(role)s) has no access to work on cases, so cases cannot be "
                "assigned to them. Choose a caseworker or a supervisor."
            )
            % {"user": assignee, "role": assignee.get_role_display()}
        )


def _who(user: User | None, team: Team | None) -> str:
    names = [n for n in (str(user) if user else "", team.name if team else "") if n]
    return " · ".join(names) or "—"


def _apply(
    cases: list[Case],
    *,
    actor: User,
    plan: dict[int, tuple[User | None, Team | None]],
    message: str,
    batch: str = "",
) -> list[Case]:
    """Give each locked case the (assignee, team) `plan` names for it; the cases that changed.
    Statements: one update, one insert of events, one of audit rows, whatever the count."""
    users = {u.pk: u for u in User.objects.filter(pk__in={c.assignee_id for c in cases} - {None})}
    teams = {t.pk: t for t in Team.objects.filter(pk__in={c.team_id for c in cases} - {None})}
    changed: list[Case] = []
    events: list[CaseEvent] = []
    entries: list[tuple[models.Model, str, dict[str, Any]]] = []
    now = timezone.now()
    for case in cases:
        user, team = plan[case.pk]
        before_user, before_team = users.get(case.assignee_id or 0), teams.get(case.team_id or 0)
        if (before_user, before_team) == (user, team):
            continue
        case.assignee, case.team, case.updated_at = user, team, now
        data = {
            "message": message,
            "from_who": _who(before_user, before_team),
            "to_who": _who(user, team),
        }
        events.append(
            CaseEvent(
                case=case,
                kind=CaseEvent.Kind.ASSIGNED,
                actor=actor,
                description=f"{data['from_who']} → {data['to_who']}",
                data=data,
            )
        )
        details: dict[str, Any] = {
            "changes": {
                "assignee": [
                    before_user.get_username() if before_user else None,
                    user.get_username() if user else None,
                ],
                "team": [before_team.name if before_team else None, team.name if team else None],
            },
            "how": message,
        }
        if batch:
            details["batch"] = batch
        entries.append((case, f"Assigned {case.reference} to {data['to_who']}", details))
        changed.append(case)
    if changed:
        Case.objects.bulk_update(changed, ["assignee", "team", "updated_at"])
        CaseEvent.objects.bulk_create(events)
        audit_record_many(actor=actor, action=AuditAction.UPDATE, entries=entries)
    return changed


def _locked(case_ids: list[int]) -> list[Case]:
    # Locked in id order (as status changes lock them): a caseworker reassigning one of these
    # meanwhile must not have their change, or its history line, lost.
    # No key of the locked rows changes (no delete, no unique column): FOR NO KEY UPDATE
    # on PostgreSQL, which does not hold up inserts of rows referencing them.
    return list(Case.objects.select_for_update(no_key=True).filter(pk__in=case_ids).order_by("pk"))


@transaction.atomic
def cases_assign(
    *,
    case_ids: list[int],
    actor: User,
    assignee: User | Keep | None = "keep",
    team: Team | Keep | None = "keep",
) -> int:
    """Assign, reassign or unassign cases (one, or many ticked on a list) in one audited
    action. "keep" leaves that side as it is. Returns how many cases changed."""
    if not permissions.can_work_cases(actor):
        raise PermissionDenied
    if isinstance(assignee, User):
        assignee_check(assignee)
    cases = _locked(case_ids)
    if len(cases) != len(set(case_ids)):
        raise AssignmentRefused(_("Some of these cases no longer exist. Reload the list."))
    current_users = {
        u.pk: u for u in User.objects.filter(pk__in={c.assignee_id for c in cases} - {None})
    }
    current_teams = {
        t.pk: t for t in Team.objects.filter(pk__in={c.team_id for c in cases} - {None})
    }
    plan = {
        c.pk: (
            current_users.get(c.assignee_id or 0) if assignee == "keep" else assignee,
            current_teams.get(c.team_id or 0) if team == "keep" else team,
        )
        for c in cases
    }
    batch = f"{actor.pk}-{timezone.now().timestamp():.6f}" if len(cases) > 1 else ""
    return len(_apply(cases, actor=actor, plan=plan, message="assigned", batch=batch))


@transaction.atomic
def case_take_next(*, actor: User) -> Case | None:
    """Give the actor the most urgent unassigned open case their teams cover, or None."""
    if not permissions.can_work_cases(actor):
        raise PermissionDenied
    assignee_check(actor)
    candidates = selectors_assignment.queue_for(user=actor)
    # skip_locked: two workers pressing "take next" at the same moment must get two different
    # cases. Without it the second would wait for the first's lock and then find that case
    # taken (or, without any lock, both would take it); skipping locked rows hands the second
    # worker the next case at once. (SQLite has no row locks: its writes are serialised.)
    # No key of the locked rows changes (no delete, no unique column): FOR NO KEY UPDATE
    # on PostgreSQL, which does not hold up inserts of rows referencing them.
    case = candidates.select_for_update(no_key=True, skip_locked=True).first()
    if case is None:
        return None
    team = Team.objects.filter(pk=case.team_id).first() if case.team_id else None
    _apply([case], actor=actor, plan={case.pk: (actor, team)}, message="assigned_taken")
    return case


@transaction.atomic
def cases_balance(*, case_ids: list[int], team: Team, actor: User) -> dict[User, int]:
    """Share the cases among the team's workers, each next case to whoever has the fewest open
    cases at that moment (round-robin by current load); most urgent cases first. Returns how
    many cases each worker received."""
    if not permissions.can_view_caseloads(actor):
        raise PermissionDenied
    workers = [
        u
        for u in team.members.filter(is_active=True).order_by("username")
        if permissions.can_be_assigned_cases(u)
    ]
    if not workers:
        raise AssignmentRefused(
            _("Team %(team)s has nobody who can work on cases: add members first.")
            % {"team": team.name}
        )
    cases = _locked(case_ids)
    open_ids = [c.pk for c in cases if c.status != Case.Status.CLOSED]
    load = selectors_assignment.open_case_counts(
        user_ids=[w.pk for w in workers], excluding=open_ids
    )
    plan: dict[int, tuple[User | None, Team | None]] = {}
    given: dict[User, int] = {w: 0 for w in workers}
    for case in sorted(
        (c for c in cases if c.pk in set(open_ids)), key=lambda c: (-c.priority, c.pk)
    ):
        worker = min(workers, key=lambda w: (load.get(w.pk, 0), w.username))
        plan[case.pk] = (worker, team)
        load[worker.pk] = load.get(worker.pk, 0) + 1
        given[worker] += 1
    chosen = [c for c in cases if c.pk in plan]
    batch = f"{actor.pk}-{timezone.now().timestamp():.6f}"
    _apply(chosen, actor=actor, plan=plan, message="assigned_balanced", batch=batch)
    return given
