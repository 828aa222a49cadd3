"""The household section of the case page: add, remove, move, split, mark the principal."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from haven.accounts import permissions
from haven.accounts.models import User

from . import selectors, selectors_members, services_members
from .member_forms import HouseholdForm
from .models import Case
from .selectors import MemberView


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def member_choices(members: list[MemberView]) -> list[tuple[int, str]]:
    return [
        (m.member.person_id, f"{m.member.person.display_name or '—'} · {m.member.person_id}")
        for m in members
    ]


def household_context(
    *, user: User, case: Case, members: list[MemberView], form: HouseholdForm | None = None
) -> dict[str, object]:
    """What the household include needs: each member's other open cases (one query) and,
    for caseworkers, the form."""
    others = selectors_members.members_other_open_cases(
        user=user, case=case, people=[m.member.person_id for m in members]
    )
    rows = [(m, others.get(m.member.person_id, [])) for m in members]
    can_change = permissions.can_work_cases(user) and case.status != Case.Status.CLOSED
    if form is None and can_change:
        form = HouseholdForm(members=member_choices(members), initial={"relationship": "other"})
    checked: set[str] = set()
    if form is not None and isinstance(form.data, QueryDict):
        checked = set(form.data.getlist("people"))
    return {
        "household_rows": rows,
        "household_form": form if can_change else None,
        "household_checked": checked,
    }


@login_required
@require_POST
def household_change(request: HttpRequest, case_id: int) -> HttpResponse:
    user = _user(request)
    if not permissions.can_view_cases(user):
        raise Http404  # partners and accounts without a role: no such page for them
    case = selectors.case_get(user=user, case_id=case_id)
    if not permissions.can_work_cases(user):
        raise PermissionDenied
    members = selectors.case_members(case=case)
    form = HouseholdForm(request.POST, members=member_choices(members))
    if form.is_valid():
        try:
            changed = _run(form, case, user)
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("Household changed."))
            if form.cleaned_data["action"] == "split" and changed.target is not None:
                return redirect("cases:detail", case_id=changed.target.pk)
            return redirect(f"{reverse('cases:detail', args=[case.pk])}#members")
    # Shown again with what was typed and why it was refused: an audited read of the case.
    from .views import _detail_context

    case = selectors.case_get_for_detail(user=user, case_id=case.pk)
    context = _detail_context(request, case, household_form=form)
    return render(request, "cases/case_detail.html", context, status=400)


def _run(form: HouseholdForm, case: Case, user: User) -> services_members.HouseholdChanged:
    data = form.cleaned_data
    action, people, reason = data["action"], list(data["people"] or []), data["reason"]
    if action == "add":
        return services_members.case_members_add(
            case=case,
            actor=user,
            people=[(data["person"], data["relationship"] or "other")],
            reason=reason,
        )
    if action == "remove":
        return services_members.case_members_remove(
            case=case, actor=user, people=people, reason=reason
        )
    if action == "move":
        try:
            target = selectors.case_get(user=user, case_id=data["target"])
        except Http404:
            raise ValidationError(
                _("There is no case %(ref)s.") % {"ref": Case(pk=data["target"]).reference}
            ) from None
        return services_members.case_members_move(
            source=case, target=target, actor=user, people=people, reason=reason
        )
    if action == "split":
        return services_members.case_household_split(
            case=case, actor=user, people=people, principal_id=data["principal"], reason=reason
        )
    return services_members.case_principal_mark(case=case, actor=user, person_id=data["principal"])
