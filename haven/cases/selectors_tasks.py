"""Reads of tasks and alerts. The case's tasks are read after cases.selectors.case_get has
checked the user may see the case; alerts are only ever the user's own."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from haven.accounts import permissions
from haven.accounts.models import User

from . import registry
from .models import Alert, AlertPreference, Case, Task


@dataclass(frozen=True)
class TaskView:
    task: Task
    title: str
    overdue: bool


def task_title(task: Task) -> str:
    """A checklist item in the reader's language; a typed task as it was typed."""
    if task.automatic and task.evidence_code:
        return registry.evidence_label(task.evidence_code) or str(task.title)
    return str(task.title)


def case_tasks(*, case: Case, user: User) -> list[TaskView]:
    """The case's tasks, open ones first (soonest due first), then the closed ones. One
    query. Everyone who may read the case reads its tasks (they hold no restricted note)."""
    if not permissions.can_view_cases(user):
        raise PermissionDenied
    today = timezone.localdate()
    tasks = (
        Task.objects.filter(case=case)
        .select_related("assignee", "closed_by")
        .order_by("status", "due_date", "id")
    )
    return [
        TaskView(
            task=t,
            title=task_title(t),
            overdue=t.status == Task.Status.OPEN and t.due_date is not None and t.due_date < today,
        )
        for t in tasks
    ]


def task_get(*, user: User, case: Case, task_id: int) -> Task:
    """A task of this case (404 for another case's: the address was tampered with)."""
    if not permissions.can_work_cases(user):
        raise PermissionDenied
    task = Task.objects.filter(case=case, pk=task_id).first()
    if task is None:
        raise Http404
    return task


def evidence_settled(*, case_id: int) -> set[str]:
    """Evidence codes whose checklist item is done: the evidence came (a document, a fact,
    or a caseworker ticked it), so "still needed" must not show it."""
    return set(
        Task.objects.filter(case_id=case_id, status=Task.Status.DONE)
        .exclude(evidence_code="")
        .values_list("evidence_code", flat=True)
    )


def overdue_task_counts(user_ids: list[int]) -> dict[int, int]:
    """Per user, their open tasks past the due date (a caseload column): one query. A task
    with nobody named on it is the case assignee's."""
    if not user_ids:
        return {}
    today = timezone.localdate()
    late = Task.objects.filter(status=Task.Status.OPEN, due_date__lt=today).exclude(
        case__status=Case.Status.CLOSED
    )
    rows = (
        late.annotate(owner=Coalesce("assignee_id", "case__assignee_id"))
        .filter(owner__in=user_ids)
        .values("owner")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {r["owner"]: r["n"] for r in rows}


def alerts_of(*, user: User) -> QuerySet[Alert]:
    """The user's own alerts, newest first, with their breach and case (for the page)."""
    if not user.is_authenticated:
        raise PermissionDenied
    return (
        Alert.objects.filter(user=user)
        .select_related("breach__case", "breach__task")
        .order_by("-created_at", "-id")
    )


def alert_digest_wanted(*, user: User) -> bool:
    """The user's own choice of a daily e-mail digest (off until they turn it on)."""
    return AlertPreference.objects.filter(user=user, email_digest=True).exists()


def alerts_unread_count(*, user: User) -> int:
    return Alert.objects.filter(user=user, read_at__isnull=True).count()
