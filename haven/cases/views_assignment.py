"""Assignment screens: assign a case or the cases ticked on a list, take the next case from
my teams' queue, my cases, caseloads (supervisors), saved searches. Thin: selectors check
access, services write and audit."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from haven.accounts import permissions
from haven.accounts.models import Team

from . import saved_searches, selectors, selectors_assignment, services_assignment
from .forms import AssignForm, BalanceForm, CaseSelectionForm, SavedSearchForm, choice_lists
from .views import _detail_context, _user, list_context, list_source


def _refusal(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


@login_required
@require_POST
def case_assign(request: HttpRequest, case_id: int) -> HttpResponse:
    user = _user(request)
    case = selectors.case_get(user=user, case_id=case_id)
    if not permissions.can_work_cases(user):
        raise PermissionDenied
    form = AssignForm(request.POST)
    if form.is_valid():
        try:
            changed = services_assignment.cases_assign(
                case_ids=[case.pk],
                actor=user,
                assignee=form.assignee_user(),
                team=form.team(),
            )
        except ValidationError as exc:
            form.add_error("assignee", _refusal(exc))
        else:
            messages.success(request, _("Assigned.") if changed else _("Nothing changed."))
            return redirect("cases:detail", case_id=case.pk)
    # The whole page is shown again, with the form as sent: a read, audited as any other.
    case = selectors.case_get_for_detail(user=user, case_id=case.pk)
    context = _detail_context(request, case)
    context["assign_form"] = form
    return render(request, "cases/case_detail.html", context, status=400)


def _back_to_list(back: str) -> str:
    # Only the list's own address, with the query it was shown under.
    return f"{reverse('cases:list')}?{back}" if back else reverse("cases:list")


@login_required
@require_POST
def cases_assign_many(request: HttpRequest) -> HttpResponse:
    """The ticked cases of a list: assign them all (one audited action), or share them among a
    team's workers (supervisors). On a refusal the list is shown again, ticks and choices kept."""
    user = _user(request)
    if not permissions.can_work_cases(user):
        raise PermissionDenied
    back = QueryDict(str(request.POST.get("back", ""))[:2000])
    back_query = back.urlencode()
    choices = choice_lists()
    selection = CaseSelectionForm(request.POST)
    balance = "balance" in request.POST
    assign_form = AssignForm(
        None if balance else request.POST, workers=choices[0], teams=choices[1]
    )
    balance_form = BalanceForm(request.POST if balance else None, teams=choices[1])
    form = balance_form if balance else assign_form
    if selection.is_valid() and form.is_valid():
        ids = selection.cleaned_data["case"]
        visible = selectors.case_ids_visible(user=user, case_ids=ids)
        try:
            if balance:
                given = services_assignment.cases_balance(
                    case_ids=visible, team=balance_form.team(), actor=user
                )
                shares = ", ".join(f"{w}: {n}" for w, n in given.items())
                messages.success(request, _("Shared: %(shares)s.") % {"shares": shares})
            else:
                changed = services_assignment.cases_assign(
                    case_ids=visible,
                    actor=user,
                    assignee=assign_form.assignee_user(),
                    team=assign_form.team(),
                )
                messages.success(
                    request,
                    ngettext("%(n)d case assigned.", "%(n)d cases assigned.", changed)
                    % {"n": changed},
                )
            return redirect(_back_to_list(back_query))
        except ValidationError as exc:
            form.add_error(None, _refusal(exc))
        except PermissionDenied:
            form.add_error(None, _("Only a supervisor can share cases among a team."))
    for problem in selection.errors.get("case", []):
        form.add_error(None, problem)
    listing = list_source(request, back, choices)
    context = list_context(
        request,
        listing,
        choices,
        assign_form=assign_form,
        balance_form=balance_form if permissions.can_view_caseloads(user) else None,
        selected={str(v) for v in request.POST.getlist("case")},
        bulk_errors=form.non_field_errors(),
    )
    return render(request, "cases/case_list.html", context, status=400)


@login_required
@require_POST
def take_next(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not permissions.can_work_cases(user):
        raise PermissionDenied
    try:
        case = services_assignment.case_take_next(actor=user)
    except ValidationError as exc:
        messages.error(request, _refusal(exc))
        return redirect("cases:list")
    if case is None:
        if not user.teams.exists():
            messages.info(request, _("You are in no team yet: an administrator adds you to one."))
        else:
            messages.info(request, _("Nothing is waiting in your teams' queue."))
        return redirect("cases:mine")
    messages.success(request, _("%(case)s is yours now.") % {"case": case.reference})
    return redirect("cases:detail", case_id=case.pk)


@login_required
@require_GET
def my_cases(request: HttpRequest) -> HttpResponse:
    return redirect(f"{reverse('cases:list')}?assignee=me&open=on")


@login_required
@require_GET
def caseloads(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    team_id = request.GET.get("team", "")
    team = Team.objects.filter(pk=int(team_id)).first() if team_id.isdigit() else None
    if team_id and team is None:
        messages.error(request, _("There is no such team: showing everyone."))
    loads = selectors_assignment.caseloads(viewer=user, team=team)
    return render(
        request,
        "cases/caseloads.html",
        {
            "loads": loads,
            "team": team,
            "teams": selectors_assignment.teams_all(),
            "shows_tasks": any(load.overdue_tasks is not None for load in loads),
        },
    )


@login_required
@require_POST
def saved_search_create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    back = QueryDict(str(request.POST.get("back", ""))[:2000])
    form = SavedSearchForm(request.POST)
    listing = list_source(request, back)
    if form.is_valid():
        try:
            saved = saved_searches.saved_search_create(
                owner=user, name=form.cleaned_data["name"], filters=listing.form.saved_data()
            )
        except ValidationError as exc:
            form.add_error("name", _refusal(exc))
        else:
            messages.success(request, _("Search saved."))
            return redirect(f"{reverse('cases:list')}?saved={saved.pk}")
    context = list_context(request, listing, saved_search_form=form)
    return render(request, "cases/case_list.html", context, status=400)


@login_required
@require_POST
def saved_search_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    saved = selectors.saved_search_get(user=user, pk=pk)
    saved_searches.saved_search_delete(owner=user, saved=saved)
    messages.success(request, _("Saved search deleted."))
    return redirect("cases:list")
