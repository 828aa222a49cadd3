from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from haven.accounts import permissions
from haven.accounts.models import User
from haven.common import clamd

from . import saved_searches, selectors, selectors_documents, services
from .forms import (
    AssignForm,
    BalanceForm,
    CaseFilterForm,
    Choices,
    NoteForm,
    SavedSearchForm,
    StatusForm,
    choice_lists,
)
from .forms_documents import DocumentUploadForm
from .member_forms import HouseholdForm
from .merge_forms import CaseMergeTargetForm
from .models import Case, SavedSearch
from .panels import case_panels
from .search import search_load, search_store
from .tasks_panel import tasks_context
from .views_members import household_context

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
    htmx = bool(request.htmx)  # type: ignore[attr-defined]
    search_id, status = "", 200
    choices = choice_lists()
    if request.method == "POST":
        form = CaseFilterForm(request.POST, workers=choices[0], teams=choices[1])
        if form.is_valid():
            search_id = search_store(request.session, form.saved_data())
            if not htmx:
                return redirect(f"{reverse('cases:list')}?search={search_id}")
            listing = ListSource(form=form, query=f"search={search_id}")
        else:
            listing, status = ListSource(form=form, query=""), 400
    elif "q" in request.GET:
        # A term in the address (an old bookmark, a hand-made link) is not searched for,
        # and the page is not shown under it: it would be echoed into links and history.
        rest = request.GET.copy()
        rest.pop("q")
        return redirect(f"{reverse('cases:list')}?{rest.urlencode()}" if rest else "cases:list")
    else:
        listing = list_source(request, request.GET, choices)
    context = list_context(request, listing, choices)
    template = "cases/_case_table.html" if htmx else "cases/case_list.html"
    response = render(request, template, context, status=status)
    if htmx and search_id:
        response["HX-Push-Url"] = f"{reverse('cases:list')}?search={search_id}"
    return response


@dataclass
class ListSource:
    """Where the list's filters came from, and the address part that shows them again
    (search=<id>, saved=<id>, or the filters themselves: never a search term)."""

    form: CaseFilterForm
    query: str
    expired: bool = False
    saved: SavedSearch | None = None


def list_source(
    request: HttpRequest, params: QueryDict, choices: Choices | None = None
) -> ListSource:
    user = _user(request)
    workers, teams = choices or choice_lists()
    if search_id := params.get("search", ""):
        stored = search_load(request.session, search_id)
        if stored is None:
            form = CaseFilterForm(workers=workers, teams=teams)
            return ListSource(form=form, query="", expired=True)
        form = CaseFilterForm(stored, workers=workers, teams=teams)
        return ListSource(form=form, query=f"search={search_id}")
    if (saved_id := params.get("saved", "")) and saved_id.isdigit():
        saved = selectors.saved_search_get(user=user, pk=int(saved_id))
        return ListSource(
            form=CaseFilterForm(saved_searches.filters_of(saved), workers=workers, teams=teams),
            query=f"saved={saved.pk}",
            saved=saved,
        )
    # Filters that are not search terms come in the address (the dashboard's links).
    rest = params.copy()
    for name in ("page", "sort", "q"):
        rest.pop(name, None)
    form = CaseFilterForm(rest or None, workers=workers, teams=teams)
    return ListSource(form=form, query=rest.urlencode())


def list_context(
    request: HttpRequest, listing: ListSource, choices: Choices | None = None, **extra: object
) -> dict[str, object]:
    user = _user(request)
    workers, teams = choices or choice_lists()
    sort = request.GET.get("sort", selectors.DEFAULT_SORT)
    if sort not in selectors.SORTS:
        messages.error(request, _("That sort order is not known: the newest cases come first."))
        sort = selectors.DEFAULT_SORT
    cases = selectors.case_list(user=user, filters=listing.form.filters(), sort=sort)
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = selectors.case_rows(list(page.object_list))
    sort_part = "" if sort == selectors.DEFAULT_SORT else f"sort={sort}"
    query = "&".join(p for p in (listing.query, sort_part) if p)
    can_work = permissions.can_work_cases(user)
    context: dict[str, object] = {
        "form": listing.form,
        "page": page,
        "rows": rows,
        "query": query,
        "filter_query": listing.query,
        "sort": sort,
        "search_expired": listing.expired,
        "saved": listing.saved,
        "saved_searches": selectors.saved_searches(user=user),
        "saved_search_form": SavedSearchForm(),
        "assign_form": AssignForm(workers=workers, teams=teams) if can_work else None,
        "balance_form": (
            BalanceForm(teams=teams) if permissions.can_view_caseloads(user) else None
        ),
        "can_take_next": can_work,
        "selected": set(),
    }
    context.update(extra)
    return context


def _detail_context(
    request: HttpRequest, case: Case, household_form: HouseholdForm | None = None
) -> dict[str, object]:
    user = _user(request)
    members = selectors.case_members(case=case)
    return {
        **household_context(user=user, case=case, members=members, form=household_form),
        "case": case,
        "members": members,
        "requests": selectors.case_requests(case=case),
        "notes": selectors.case_notes(case=case, user=user),
        "events": selectors.case_history(case=case),
        "panels": [
            (panel.title, panel.render(request)) for panel in case_panels(case=case, user=user)
        ],
        "note_form": NoteForm(),
        "documents": selectors_documents.case_documents(user=user, case=case),
        "document_form": DocumentUploadForm(),
        "can_upload_documents": permissions.can_upload_documents(user),
        "can_read_documents": permissions.can_read_documents(user),
        "can_review_quarantine": permissions.can_review_quarantine(user),
        "scanner_configured": clamd.configured(),
        "unscanned_allowed": settings.HAVEN_DOCUMENTS_ALLOW_UNSCANNED,
        "max_document_size": settings.HAVEN_DOCUMENT_MAX_BYTES,
        "status_form": StatusForm(initial={"status": case.status, "outcome": case.closure_outcome}),
        "duplicates": selectors.case_possible_duplicates(user=user, case=case),
        "can_merge_cases": permissions.can_merge_cases(user),
        "merge_form": CaseMergeTargetForm(),
        "merges": selectors.case_merges_active(case=case),
        "assign_form": AssignForm(
            initial={
                "assignee": str(case.assignee_id or ""),
                "assigned_team": str(case.team_id or ""),
            }
        ),
        **tasks_context(case=case, user=user),
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
    services.note_create(
        case=case,
        author=user,
        body=form.cleaned_data["body"],
        restricted=form.cleaned_data["restricted"],
    )
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
