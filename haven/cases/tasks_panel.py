"""The case page's tasks panel: what it shows, for the full page and for htmx's partial."""

from __future__ import annotations

from typing import Any

from haven.accounts import permissions
from haven.accounts.models import User

from . import selectors_tasks
from .forms import choice_lists
from .forms_tasks import TaskForm
from .models import Case, Task


def tasks_context(*, case: Case, user: User, form: TaskForm | None = None) -> dict[str, Any]:
    tasks = selectors_tasks.case_tasks(case=case, user=user)
    evidence = list({v.task.evidence_code: v.title for v in tasks if v.task.evidence_code}.items())
    can_work = permissions.can_work_cases(user)
    if form is None and can_work:
        form = TaskForm(workers=choice_lists()[0], evidence=evidence)
    return {
        "case": case,
        "open_tasks": [v for v in tasks if v.task.status == Task.Status.OPEN],
        "closed_tasks": [v for v in tasks if v.task.status != Task.Status.OPEN],
        "task_form": form,
        "can_work_tasks": can_work and case.status != Case.Status.CLOSED,
    }


def task_form_bound(*, case: Case, user: User, data: Any) -> TaskForm:
    tasks = selectors_tasks.case_tasks(case=case, user=user)
    evidence = list({v.task.evidence_code: v.title for v in tasks if v.task.evidence_code}.items())
    return TaskForm(data, workers=choice_lists()[0], evidence=evidence)
