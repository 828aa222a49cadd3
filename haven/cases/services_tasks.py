"""Writes to tasks: typed on the case page, or kept by triage's checklist of still-needed
evidence. Every change is a case event (the history) and an audit event, in one transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.accounts import permissions
from haven.accounts.models import User
from haven.audit.models import AuditAction
from haven.audit.services import audit_record, audit_record_many
from haven.common import crypto

from . import registry
from .models import Case, CaseEvent, Task
from .sql_tasks import automatic_tasks_insert

TITLE_MAX = 300


class TaskRefused(ValidationError):
    """The task cannot be made or changed as asked; the message says why, in plain words.
    `field` names the form field it is about (the form shows it there)."""

    def __init__(self, message: str, field: str = "__all__") -> None:
        super().__init__(message)
        self.field = field


def task_assignee_check(*, assignee: User, case: Case) -> None:
    """Refuse an assignee who could not work on this case (no access to it, or no longer
    active): a task given to them would never be done."""
    if not assignee.is_active:
        raise TaskRefused(
            _("%(user)s's account is deactivated: choose someone else.") % {"user": assignee},
            "assignee",
        )
    if not (permissions.can_view_cases(assignee) and permissions.can_be_assigned_cases(assignee)):
        raise TaskRefused(
            _(
                "%(user)s (%(role)s) has no access to work on %(case)s, so the task cannot "
                "be given to them. Choose a caseworker or a supervisor."
            )
            % {"user": assignee, "role": assignee.get_role_display(), "case": case.reference},
            "assignee",
        )


def _check(*, case: Case, title: str, due_date: dt.date | None, assignee: User | None) -> str:
    title = " ".join(title.split())
    if not title:
        raise TaskRefused(_("Say what is to be done: the title is empty."), "title")
    if len(title) > TITLE_MAX:
        raise TaskRefused(
            _("Keep the title under %(n)d characters; details go in a note.") % {"n": TITLE_MAX},
            "title",
        )
    if due_date is not None and due_date < timezone.localdate():
        raise TaskRefused(
            _("The due date %(date)s is in the past: choose today or a later day.")
            % {"date": due_date.isoformat()},
            "due_date",
        )
    if assignee is not None:
        task_assignee_check(assignee=assignee, case=case)
    if case.status == Case.Status.CLOSED:
        raise TaskRefused(_("%(case)s is closed: reopen it first.") % {"case": case.reference})
    return title


def _event(task: Task, kind: str, message: str, actor: User | None) -> CaseEvent:
    data: dict[str, Any] = {"message": message, "task": task.pk}
    # A typed title is the caseworker's words: kept (encrypted) in the description, never
    # in `data`, which is plain JSON.
    if task.evidence_code:
        data["evidence"] = task.evidence_code
    if task.due_date:
        data["due"] = task.due_date.isoformat()
    return CaseEvent(
        case_id=task.case_id,
        kind=kind,
        actor=actor,
        description=f"{task.title}"[:200],
        data=data,
    )


@transaction.atomic
def task_create(
    *,
    case: Case,
    actor: User,
    title: str,
    assignee: User | None = None,
    due_date: dt.date | None = None,
    evidence_code: str = "",
) -> Task:
    """A task typed on the case page. Refused (TaskRefused, naming the field) for an empty
    title, a due date in the past, or an assignee without access to the case."""
    if not permissions.can_work_cases(actor):
        raise PermissionDenied
    title = _check(case=case, title=title, due_date=due_date, assignee=assignee)
    task = Task.objects.create(
        case=case,
        title=title,
        assignee=assignee,
        due_date=due_date,
        evidence_code=evidence_code[:64],
        created_by=actor,
    )
    _event(task, CaseEvent.Kind.TASK_ADDED, "task_added", actor).save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=task,
        summary=f"Task on {case.reference}",
        details={
            "case": case.pk,
            "assignee": assignee.get_username() if assignee else None,
            "due": due_date.isoformat() if due_date else None,
            "evidence": evidence_code or None,
        },
    )
    return task


@transaction.atomic
def task_close(*, task: Task, actor: User, status: str) -> Task:
    """Mark a task done or cancelled by hand. Closing a closed task changes nothing."""
    if not permissions.can_work_cases(actor):
        raise PermissionDenied
    if status not in (Task.Status.DONE, Task.Status.CANCELLED):
        raise TaskRefused(_("A task is closed as done or as cancelled."))
    # Locked: two people ticking the same task at once must make one history line, not two.
    # No key of the locked rows changes (no delete, no unique column): FOR NO KEY UPDATE
    # on PostgreSQL, which does not hold up inserts of rows referencing them.
    locked = Task.objects.select_for_update(no_key=True).get(pk=task.pk)
    if locked.status != Task.Status.OPEN:
        return locked
    locked.status, locked.closed_at, locked.closed_by = status, timezone.now(), actor
    locked.closed_how = Task.Closed.BY_HAND
    locked.save(update_fields=["status", "closed_at", "closed_by", "closed_how"])
    done = status == Task.Status.DONE
    kind = CaseEvent.Kind.TASK_DONE if done else CaseEvent.Kind.TASK_CANCELLED
    _event(locked, kind, "task_done" if done else "task_cancelled", actor).save()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        summary=f"Task {'done' if done else 'cancelled'} on {Case(pk=locked.case_id).reference}",
        details={"case": locked.case_id, "status": status},
    )
    return locked


@dataclass(frozen=True)
class EvidenceItem:
    """One item of triage's "still needed": a pack's evidence code or a fact's name, and its
    label in English (stored as the task's title; shown in the reader's language)."""

    code: str
    title: str


@dataclass
class ChecklistChange:
    added: list[str] = field(default_factory=list)
    arrived: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.arrived or self.dropped)


def case_evidence_tasks_sync(
    *, case: Case, needed: list[EvidenceItem], held: set[str], actor: User | None = None
) -> ChecklistChange:
    """Keep one case's checklist in step with what triage says is still needed."""
    return cases_evidence_tasks_sync(
        needed={case.pk: needed}, held={case.pk: held}, actor=actor
    ).get(case.pk, ChecklistChange())


def _plan(
    needed: list[EvidenceItem], held: set[str], tasks: list[Task]
) -> tuple[list[EvidenceItem], list[tuple[Task, str]]]:
    """What to add and what to close on one case.

    - An open task whose evidence the case now holds is done ("the evidence arrived"), whoever
      made it; an automatic one no longer needed (the pathway changed) is cancelled.
    - A needed item the case does not hold gets a task unless one covers it: open (automatic
      or typed), done (the evidence came once: it stays so), or cancelled by hand.
    """
    closing: list[tuple[Task, str]] = []
    needed_codes = {item.code for item in needed}
    covered: set[str] = set()
    for task in tasks:
        if task.status == Task.Status.OPEN:
            if task.evidence_code in held:
                closing.append((task, Task.Closed.EVIDENCE_ARRIVED))
                covered.add(task.evidence_code)
            elif task.automatic and task.evidence_code not in needed_codes:
                closing.append((task, Task.Closed.NO_LONGER_NEEDED))
            else:
                covered.add(task.evidence_code)
        elif task.status == Task.Status.DONE or task.closed_how == Task.Closed.BY_HAND:
            covered.add(task.evidence_code)
    adding = [
        item
        for item in dict((i.code, i) for i in needed).values()
        if item.code not in held and item.code not in covered
    ]
    return adding, closing


def _label_token(tokens: dict[str, str], label: str) -> str:
    """The stored form of an item's title (its token, as the task's encrypted title takes
    it), encrypted once per label: see the comment where the tokens are made."""
    if label not in tokens:
        tokens[label] = crypto.encrypt(label[:TITLE_MAX])
    return tokens[label]


@transaction.atomic
def cases_evidence_tasks_sync(
    *,
    needed: dict[int, list[EvidenceItem]],
    held: dict[int, set[str]],
    actor: User | None = None,
) -> dict[int, ChecklistChange]:
    """The checklist of many cases at once (a batch at intake): a fixed number of statements
    whatever the number of cases. `needed` is what the latest decision still asks for, `held`
    what each case already has (from its identifiers, documents and facts)."""
    case_ids = sorted(needed)
    if not case_ids:
        return {}
    # Locked in id order (as status changes lock them): a document arriving while the case is
    # re-triaged must not add the same checklist item twice, nor tick off a task just added.
    # No key of the locked rows changes (no delete, no unique column): FOR NO KEY UPDATE
    # on PostgreSQL, which does not hold up inserts of rows referencing them.
    list(
        Case.objects.select_for_update(no_key=True)
        .filter(pk__in=case_ids)
        .order_by("pk")
        .values("pk")
    )
    by_case: dict[int, list[Task]] = {}
    # The plan reads codes and states, never titles: not decrypted (a dozen per case).
    tasks = Task.objects.filter(case_id__in=case_ids).exclude(evidence_code="").defer("title")
    for task in tasks.order_by("id"):
        by_case.setdefault(task.case_id, []).append(task)
    # An item's title is the guidance's English label for its code, the same on every case
    # and named by the plaintext evidence_code beside it, so one token per label (encrypted
    # once per batch, not once per task) shows nothing the code does not. Typed titles, which
    # can name a person, are encrypted row by row as ever (task_create).
    titles: dict[str, str] = {}
    now = timezone.now()
    new: list[tuple[int, str, str]] = []
    closed: list[Task] = []
    changes: dict[int, ChecklistChange] = {}
    for case_id in case_ids:
        adding, closing = _plan(needed[case_id], held.get(case_id, set()), by_case.get(case_id, []))
        change = ChecklistChange(added=[i.code for i in adding])
        new += [(case_id, item.code, _label_token(titles, item.title)) for item in adding]
        for task, how in closing:
            done = how == Task.Closed.EVIDENCE_ARRIVED
            task.status = Task.Status.DONE if done else Task.Status.CANCELLED
            task.closed_at, task.closed_by, task.closed_how = now, actor, how
            closed.append(task)
            (change.arrived if done else change.dropped).append(task.evidence_code)
        if change:
            changes[case_id] = change
    automatic_tasks_insert(new, created_by_id=actor.pk if actor else None, created_at=now)
    if closed:
        Task.objects.bulk_update(closed, ["status", "closed_at", "closed_by", "closed_how"])
    if changes:
        _checklist_record(changes, actor)
    return changes


def _checklist_record(changes: dict[int, ChecklistChange], actor: User | None) -> None:
    """One history line and one audit row per case whose checklist changed."""
    events = []
    entries: list[tuple[models.Model, str, dict[str, Any]]] = []
    for case_id, change in changes.items():
        data = {
            "message": "checklist_changed",
            "added": change.added,
            "arrived": change.arrived,
            "dropped": change.dropped,
        }
        english = "; ".join(
            f"{label}: {', '.join(codes)}"
            for label, codes in (
                ("still needed", change.added),
                ("arrived", change.arrived),
                ("no longer needed", change.dropped),
            )
            if codes
        )
        kind = CaseEvent.Kind.TASK_DONE if change.arrived else CaseEvent.Kind.TASK_ADDED
        if not change.added and not change.arrived:
            kind = CaseEvent.Kind.TASK_CANCELLED
        events.append(
            CaseEvent(case_id=case_id, kind=kind, actor=actor, description=english, data=data)
        )
        entries.append((Case(pk=case_id), f"Checklist of {Case(pk=case_id).reference}", data))
    CaseEvent.objects.bulk_create(events)
    audit_record_many(actor=actor, action=AuditAction.UPDATE, entries=entries)


@transaction.atomic
def alerts_mark_read(*, user: User) -> int:
    """Mark all the user's unread alerts read; returns how many."""
    from .alerts import unread_counts_refresh
    from .models import Alert

    n = Alert.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())
    unread_counts_refresh([user.pk])
    user.unread_alerts = 0
    return n


@transaction.atomic
def alert_preference_set(*, user: User, email_digest: bool) -> None:
    """Whether the user gets the daily e-mail digest of new alerts (audited: it sends mail)."""
    from .models import AlertPreference

    pref, _created = AlertPreference.objects.get_or_create(user=user)
    if pref.email_digest == email_digest:
        return
    pref.email_digest = email_digest
    pref.save(update_fields=["email_digest"])
    audit_record(
        actor=user,
        action=AuditAction.UPDATE,
        obj=pref,
        summary="Alert e-mail digest " + ("on" if email_digest else "off"),
        details={"email_digest": email_digest},
    )


def documents_added_receive(
    sender: object, *, case: Case, kinds: list[str], actor: User | None = None, **kwargs: object
) -> None:
    """cases.signals.documents_added: re-check the case's checklist (triage registers what
    to check; with nothing registered there is no checklist to tick)."""
    recheck = registry.evidence_recheck()
    if recheck is not None:
        recheck(case=case, kinds=list(kinds), actor=actor)
