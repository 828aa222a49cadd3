"""Alerts: a task past its due date, or an open case past its pathway's target, is a breach;
each breach is told once to the task's (or the case's) assignee and the case's supervisors, in
the application and, for those who want it, in a daily e-mail digest.

Both are periodic jobs (`haven tick`, registered in CasesConfig.ready()). A breach is found by
its key (`AlertBreach.key`), so running the jobs every minute, twice, or late raises nothing
twice; a digest is marked on the user's preference, so one goes out per user per day.

Who are a case's supervisors: the active supervisors in the case's team; with no team (or none
in it), those in the teams of the case's assignee; with none there either, every active
supervisor (a breach on a case nobody supervises is exactly what supervision must see).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from haven.accounts.models import Role, Team, User
from haven.audit.models import AuditAction
from haven.audit.services import audit_record

from . import registry
from .models import Alert, AlertBreach, AlertPreference, Case, Task

logger = logging.getLogger(__name__)

# Breaches raised per run: a first run on a large desk raises the rest on the next ticks.
BATCH = 2000


@dataclass(frozen=True)
class _Found:
    kind: str
    key: str
    case_id: int
    task_id: int | None
    owner_id: int | None  # the task's assignee, or the case's
    due_date: dt.date | None = None
    target_days: int | None = None
    pathway: str = ""


def _overdue_tasks(today: dt.date) -> list[_Found]:
    """Open tasks on open cases whose due date has passed, not yet raised for that date."""
    raised = AlertBreach.objects.filter(
        task_id=OuterRef("pk"), due_date=OuterRef("due_date"), kind=AlertBreach.Kind.TASK_OVERDUE
    )
    rows = (
        Task.objects.filter(status=Task.Status.OPEN, due_date__lt=today)
        .exclude(case__status=Case.Status.CLOSED)
        .filter(~Exists(raised))
        .values_list("pk", "case_id", "due_date", "assignee_id", "case__assignee_id")
        .order_by("due_date", "pk")[:BATCH]
    )
    return [
        _Found(
            kind=AlertBreach.Kind.TASK_OVERDUE,
            key=f"task:{pk}:{due}",
            case_id=case_id,
            task_id=pk,
            owner_id=assignee_id or case_assignee_id,
            due_date=due,
        )
        for pk, case_id, due, assignee_id, case_assignee_id in rows
    ]


def _cases_over_target(now: dt.datetime, limit: int) -> list[_Found]:
    """Open cases waiting longer than their pathway's target, not yet raised for it."""
    from .selectors import overdue_condition

    if limit <= 0:
        return []
    targets = registry.pathway_targets()
    if not targets:
        return []
    raised = AlertBreach.objects.filter(
        case_id=OuterRef("pk"), pathway=OuterRef("pathway"), kind=AlertBreach.Kind.CASE_OVER_TARGET
    )
    rows = (
        Case.objects.filter(overdue_condition(now))
        .filter(~Exists(raised))
        .values_list("pk", "pathway", "assignee_id")
        .order_by("pk")[:limit]
    )
    return [
        _Found(
            kind=AlertBreach.Kind.CASE_OVER_TARGET,
            key=f"case:{pk}:{pathway}",
            case_id=pk,
            task_id=None,
            owner_id=assignee_id,
            target_days=targets.get(pathway),
            pathway=pathway,
        )
        for pk, pathway, assignee_id in rows
    ]


def _supervisors(case_ids: list[int]) -> dict[int, set[int]]:
    """Each case's supervisors (see the module's docstring): three queries for any number."""
    cases = dict(Case.objects.filter(pk__in=case_ids).values_list("pk", "team_id").order_by())
    owners = dict(Case.objects.filter(pk__in=case_ids).values_list("pk", "assignee_id").order_by())
    supervisors = User.objects.filter(is_active=True, role=Role.SUPERVISOR)
    in_team: dict[int, set[int]] = {}
    for team_id, user_id in Team.members.through.objects.filter(user__in=supervisors).values_list(
        "team_id", "user_id"
    ):
        in_team.setdefault(team_id, set()).add(user_id)
    teams_of: dict[int, set[int]] = {}
    for team_id, user_id in Team.members.through.objects.filter(
        user_id__in={o for o in owners.values() if o}
    ).values_list("team_id", "user_id"):
        teams_of.setdefault(user_id, set()).add(team_id)
    everyone: set[int] | None = None
    result: dict[int, set[int]] = {}
    for case_id in case_ids:
        found = set(in_team.get(cases.get(case_id) or 0, set()))
        if not found and owners.get(case_id):
            for team_id in teams_of.get(owners[case_id] or 0, set()):
                found |= in_team.get(team_id, set())
        if not found:
            if everyone is None:
                everyone = set(supervisors.values_list("pk", flat=True))
            found = set(everyone)
        result[case_id] = found
    return result


def alerts_raise(now: dt.datetime | None = None) -> tuple[int, int]:
    """Find new breaches and tell each person concerned once. Returns (breaches, alerts)."""
    now = now or timezone.now()
    found = _overdue_tasks(timezone.localdate(now))
    found += _cases_over_target(now, BATCH - len(found))
    if not found:
        return 0, 0
    supervisors = _supervisors(sorted({f.case_id for f in found}))
    active = set(
        User.objects.filter(
            pk__in={f.owner_id for f in found if f.owner_id}, is_active=True
        ).values_list("pk", flat=True)
    )
    with transaction.atomic():
        AlertBreach.objects.bulk_create(
            [
                AlertBreach(
                    kind=f.kind,
                    key=f.key,
                    case_id=f.case_id,
                    task_id=f.task_id,
                    due_date=f.due_date,
                    target_days=f.target_days,
                    pathway=f.pathway,
                )
                for f in found
            ],
            # Two ticks at once: the second finds the key taken and adds nothing.
            ignore_conflicts=True,
        )
        ids = dict(
            AlertBreach.objects.filter(key__in=[f.key for f in found]).values_list("key", "pk")
        )
        alerts = [
            Alert(breach_id=ids[f.key], user_id=user_id)
            for f in found
            for user_id in sorted(
                supervisors[f.case_id] | ({f.owner_id} if f.owner_id in active else set())
            )
        ]
        Alert.objects.bulk_create(alerts, ignore_conflicts=True)
        unread_counts_refresh(sorted({a.user_id for a in alerts}))
    return len(found), len(alerts)


def unread_counts_refresh(user_ids: list[int]) -> None:
    """Recount these users' unread alerts onto their row (the menu's count): one statement."""
    if not user_ids:
        return
    unread = (
        Alert.objects.filter(user_id=OuterRef("pk"), read_at__isnull=True)
        .order_by()
        .values("user_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    User.objects.filter(pk__in=user_ids).update(unread_alerts=Coalesce(Subquery(unread), 0))


def periodic_alerts() -> str:
    breaches, alerts = alerts_raise()
    return f"{breaches} breaches, {alerts} alerts"


# ---- the e-mail digest -------------------------------------------------------------------


def digest_hour() -> int:
    """The local hour from which the day's digest goes out (HAVEN_ALERT_DIGEST_HOUR, 7)."""
    return int(getattr(settings, "HAVEN_ALERT_DIGEST_HOUR", 7))


def digest_body(alerts: list[Alert]) -> str:
    """The e-mail's text: case references, what kind of breach, dates and targets. No names,
    no task titles (typed by staff, they may name someone): those are in the application."""
    lines = [
        f"You have {len(alerts)} new alert(s) in Haven:",
        "",
    ]
    for alert in alerts:
        breach = alert.breach
        ref = Case(pk=breach.case_id).reference
        if breach.kind == AlertBreach.Kind.TASK_OVERDUE:
            due = breach.due_date.isoformat() if breach.due_date else "?"
            lines.append(f"- {ref}: a task was due on {due} and is not done.")
        else:
            lines.append(
                f"- {ref}: open longer than its pathway's target of {breach.target_days} days."
            )
    lines += ["", f"See them all: {settings.HAVEN_BASE_URL}{reverse('cases:alerts')}"]
    return "\n".join(lines)


def _digest_one(user: User, today: dt.date, now: dt.datetime) -> bool:
    with transaction.atomic():
        # Locked: two `haven tick` runs at the same moment must send one digest, not two.
        # No key of the locked rows changes (no delete, no unique column): FOR NO KEY UPDATE
        # on PostgreSQL, which does not hold up inserts of rows referencing them.
        pref = AlertPreference.objects.select_for_update(no_key=True).get(user=user)
        if not pref.email_digest or pref.digest_sent_on == today:
            return False
        alerts = list(
            Alert.objects.filter(user=user, digested_at__isnull=True, read_at__isnull=True)
            .select_related("breach")
            .order_by("created_at", "id")
        )
        pref.digest_sent_on = today
        pref.save(update_fields=["digest_sent_on"])
        if not alerts or not user.email:
            return False
        Alert.objects.filter(pk__in=[a.pk for a in alerts]).update(digested_at=now)
        subject = f"Haven: {len(alerts)} new alert(s)"
        body, to = digest_body(alerts), user.email
        audit_record(
            actor=None,
            action=AuditAction.EXPORT,
            obj=user,
            summary="Alert digest e-mailed",
            details={"alerts": len(alerts), "cases": sorted({a.breach.case_id for a in alerts})},
        )
        # One recipient, through the one-recipient guard (settings.EMAIL_BACKEND).
        transaction.on_commit(lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to]))
    return True


def digests_send(now: dt.datetime | None = None) -> int:
    """One e-mail per user who wants the digest and has new alerts, once a day from
    digest_hour(). Returns how many went out."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    if local.hour < digest_hour():
        return 0
    today = local.date()
    users = User.objects.filter(is_active=True, alert_preference__email_digest=True).filter(
        Q(alert_preference__digest_sent_on__isnull=True)
        | Q(alert_preference__digest_sent_on__lt=today)
    )
    sent = 0
    for user in users.order_by("pk"):
        try:
            sent += _digest_one(user, today, now)
        except Exception:  # one bad address must not stop the others' digests
            logger.exception("alert digest for user %s failed", user.pk)
    return sent


def periodic_digests() -> str:
    return f"{digests_send()} digests"
