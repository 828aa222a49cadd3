"""Tasks on the case page (htmx, and plain forms without JavaScript) and the alerts page.
Thin: selectors check access, services write and audit."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from haven.accounts import permissions

from . import selectors, selectors_tasks, services_tasks
from .forms_tasks import AlertPreferenceForm
from .models import Task
from .tasks_panel import task_form_bound, tasks_context
from .views import _detail_context, _user

PANEL = "cases/_tasks.html"


def _panel_or_page(
    request: HttpRequest, case_id: int, *, ok: bool, form: object = None
) -> HttpResponse:
    """htmx swaps the panel (a refusal too: htmx swaps only 2xx answers, so it is a 200 with
    the message on the field); without JavaScript, a redirect, or the page with status 400."""
    user = _user(request)
    if request.htmx:  # type: ignore[attr-defined]
        case = selectors.case_get(user=user, case_id=case_id)
        return render(request, PANEL, tasks_context(case=case, user=user, form=form))  # type: ignore[arg-type]
    if ok:
        return redirect(f"{reverse('cases:detail', args=[case_id])}#tasks")
    # The whole page is shown again, with the form as sent: a read, audited as any other.
    case = selectors.case_get_for_detail(user=user, case_id=case_id)
    context = _detail_context(request, case)
    context.update(tasks_context(case=case, user=user, form=form))  # type: ignore[arg-type]
    return render(request, "cases/case_detail.html", context, status=400)


@login_required
@require_POST
def task_add(request: HttpRequest, case_id: int) -> HttpResponse:
    user = _user(request)
    case = selectors.case_get(user=user, case_id=case_id)
    if not permissions.can_work_cases(user):
        raise PermissionDenied
    form = task_form_bound(case=case, user=user, data=request.POST)
    if form.is_valid():
        code = form.cleaned_data["evidence_code"]
        try:
            services_tasks.task_create(
                case=case,
                actor=user,
                title=form.cleaned_data["title"],
                assignee=form.cleaned_data["assignee"],
                due_date=form.cleaned_data["due_date"],
                evidence_code=code if code in form.known_evidence else "",
            )
        except services_tasks.TaskRefused as exc:
            form.add_error(None if exc.field == "__all__" else exc.field, exc.messages)
        else:
            messages.success(request, _("Task added."))
            return _panel_or_page(request, case.pk, ok=True)
    return _panel_or_page(request, case.pk, ok=False, form=form)


@login_required
@require_POST
def task_close(request: HttpRequest, case_id: int, task_id: int) -> HttpResponse:
    user = _user(request)
    case = selectors.case_get(user=user, case_id=case_id)
    task = selectors_tasks.task_get(user=user, case=case, task_id=task_id)
    status = request.POST.get("status", Task.Status.DONE)
    try:
        services_tasks.task_close(task=task, actor=user, status=status)
    except services_tasks.TaskRefused as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("Task done.") if status == Task.Status.DONE else _("Task cancelled.")
        )
    return _panel_or_page(request, case.pk, ok=True)


ALERTS_PAGE_SIZE = 50


@login_required
@require_GET
def alerts(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not permissions.can_view_cases(user):
        raise PermissionDenied
    page = Paginator(selectors_tasks.alerts_of(user=user), ALERTS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "cases/alerts.html",
        {
            "page": page,
            "unread": selectors_tasks.alerts_unread_count(user=user),
            "preference_form": AlertPreferenceForm(
                initial={"email_digest": selectors_tasks.alert_digest_wanted(user=user)}
            ),
            "has_email": bool(user.email),
        },
    )


@login_required
@require_POST
def alerts_read(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not permissions.can_view_cases(user):
        raise PermissionDenied
    n = services_tasks.alerts_mark_read(user=user)
    messages.success(
        request,
        ngettext("%(n)d alert marked as read.", "%(n)d alerts marked as read.", n) % {"n": n},
    )
    return redirect("cases:alerts")


@login_required
@require_POST
def alert_preference(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not permissions.can_view_cases(user):
        raise PermissionDenied
    form = AlertPreferenceForm(request.POST)
    form.is_valid()  # a checkbox: always valid
    wanted = bool(form.cleaned_data.get("email_digest"))
    services_tasks.alert_preference_set(user=user, email_digest=wanted)
    messages.success(
        request,
        _("You will get a daily e-mail of new alerts.")
        if wanted
        else _("You will not get alert e-mails."),
    )
    return redirect("cases:alerts")
