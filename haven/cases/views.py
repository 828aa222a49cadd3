from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from haven.accounts import permissions
from haven.accounts.models import User

from . import selectors, services
from .forms import CaseFilterForm, NoteForm, StatusForm
from .merge_forms import CaseMergeTargetForm
from .models import Case
from .panels import case_panels

PAGE_SIZE = 25


def _user(request: HttpRequest) -> User:
    # login_required guarantees an authenticated User here.
    user = request.user
    assert isinstance(user, User)
    return user


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    form = CaseFilterForm(request.GET or None)
    cases = selectors.case_list(user=_user(request), filters=form.filters())
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    template = "cases/_case_table.html" if request.htmx else "cases/case_list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


def _detail_context(request: HttpRequest, case: Case) -> dict[str, object]:
    user = _user(request)
    return {
        "case": case,
        "members": selectors.case_members(case=case),
        "requests": selectors.case_requests(case=case),
        "notes": selectors.case_notes(case=case),
        "events": selectors.case_history(case=case),
        "panels": [
            (panel.title, panel.render(request)) for panel in case_panels(case=case, user=user)
        ],
        "note_form": NoteForm(),
        "status_form": StatusForm(initial={"status": case.status, "outcome": case.closure_outcome}),
        "duplicates": selectors.case_possible_duplicates(user=user, case=case),
        "can_merge_cases": permissions.can_merge_cases(user),
        "merge_form": CaseMergeTargetForm(),
        "merges": selectors.case_merges_active(case=case),
    }


@login_required
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    case = selectors.case_get_for_detail(user=_user(request), case_id=case_id)
    return render(request, "cases/case_detail.html", _detail_context(request, case))


@login_required
@require_POST
def note_add(request: HttpRequest, case_id: int) -> HttpResponse:
    user = _user(request)
    case = selectors.case_get(user=user, case_id=case_id)
    form = NoteForm(request.POST)
    if not form.is_valid():
        # The whole page is shown again: a read, audited like any other view of it.
        case = selectors.case_get_for_detail(user=user, case_id=case.pk)
        context = _detail_context(request, case)
        context["note_form"] = form  # keeps what was typed
        return render(request, "cases/case_detail.html", context, status=400)
    services.note_create(case=case, author=user, body=form.cleaned_data["body"])
    messages.success(request, _("Note added."))
    return redirect("cases:detail", case_id=case.pk)


@login_required
@require_POST
def status_change(request: HttpRequest, case_id: int) -> HttpResponse:
    user = _user(request)
    case = selectors.case_get(user=user, case_id=case_id)
    form = StatusForm(request.POST)
    if not form.is_valid():
        # The whole page is shown again: a read, audited like any other view of it.
        case = selectors.case_get_for_detail(user=user, case_id=case.pk)
        context = _detail_context(request, case)
        context["status_form"] = form
        return render(request, "cases/case_detail.html", context, status=400)
    services.case_status_change(
        case=case,
        actor=user,
        status=form.cleaned_data["status"],
        outcome=form.cleaned_data["outcome"],
    )
    messages.success(request, _("Status changed."))
    return redirect("cases:detail", case_id=case.pk)
