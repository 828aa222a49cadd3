from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from haven.accounts import permissions
from haven.accounts.models import User

from . import selectors, services
from .forms import CaseFilterForm, NoteForm, StatusForm
from .merge_forms import CaseMergeTargetForm
from .models import Case
from .panels import case_panels
from .search import search_load, search_store

PAGE_SIZE = 25


def _user(request: HttpRequest) -> User:
    # login_required guarantees an authenticated User here.
    user = request.user
    assert isinstance(user, User)
    return user


@login_required
@require_http_methods(["GET", "POST"])
def case_list(request: HttpRequest) -> HttpResponse:
    """The list, filtered. Searching is a POST (the term must never be in a URL, see
    search.py) answered by a redirect to ?search=<id>; an htmx search gets the table with
    that address to push into the history instead."""
    user = _user(request)
    htmx = bool(request.htmx)  # type: ignore[attr-defined]
    search_id, expired, status, query = "", False, 200, ""
    if request.method == "POST":
        form = CaseFilterForm(request.POST)
        if form.is_valid():
            search_id = search_store(request.session, _form_data(form))
            if not htmx:
                return redirect(f"{reverse('cases:list')}?search={search_id}")
            query = f"search={search_id}"
        else:
            status = 400
    elif "q" in request.GET:
        # A term in the address (an old bookmark, a hand-made link) is not searched for,
        # and the page is not shown under it: it would be echoed into links and history.
        rest = request.GET.copy()
        rest.pop("q")
        return redirect(f"{reverse('cases:list')}?{rest.urlencode()}" if rest else "cases:list")
    elif search_id := request.GET.get("search", ""):
        stored = search_load(request.session, search_id)
        expired = stored is None
        form = CaseFilterForm(stored) if stored is not None else CaseFilterForm()
        query = "" if expired else f"search={search_id}"
    else:
        # Filters that are not search terms come in the address (the dashboard's links).
        form = CaseFilterForm(request.GET or None)
        rest = request.GET.copy()
        rest.pop("page", None)
        query = rest.urlencode()
    cases = selectors.case_list(user=user, filters=form.filters())
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "query": query, "search_expired": expired}
    template = "cases/_case_table.html" if htmx else "cases/case_list.html"
    response = render(request, template, context, status=status)
    if htmx and search_id and not expired:
        response["HX-Push-Url"] = f"{reverse('cases:list')}?search={search_id}"
    return response


def _form_data(form: CaseFilterForm) -> dict[str, str]:
    """What the search form sent, field by field: kept under the search id and bound again."""
    return {name: str(form.data.get(name, "")) for name in form.fields if form.data.get(name)}


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
