from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from haven.accounts import permissions
from haven.accounts.models import User

from . import registry, selectors, services
from .forms import MergeForm, ReviewDecisionForm, UnmergeForm
from .labels import SECOND_PERSON, field_label, level_label, review_reason_label
from .models import Person
from .pipeline import thresholds_for

PAGE_SIZE = 25


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _strength(weight: float) -> str:
    if weight >= 4:
        return _("counts strongly for the same person")
    if weight >= 1:
        return _("counts for the same person")
    if weight > -1:
        return _("counts neither way")
    if weight > -4:
        return _("counts against")
    return _("counts strongly against")


def field_words(field: dict[str, Any]) -> str:
    """One field's line in plain words, e.g. "same consonants: counts for the same person"."""
    if field.get("agreement") == "missing":
        return _("not known on one side, so it does not count")
    return f"{level_label(str(field.get('label', '')))}: {_strength(float(field.get('weight', 0)))}"


def total_words(weight: float) -> str:
    probability = 1.0 / (1.0 + 2.0 ** (-weight))
    return _(
        "Total weight %(weight).1f: about %(percent)d%% likely to be the same person, "
        "counting how rare such agreement is between two random records."
    ) % {"weight": weight, "percent": round(probability * 100)}


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    items = selectors.review_queue(user=_user(request))
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "resolution/review_queue.html", {"page": page})


@login_required
def review_item(request: HttpRequest, item_id: int) -> HttpResponse:
    user = _user(request)
    status = 200
    form = ReviewDecisionForm()
    if request.method == "POST":
        form = ReviewDecisionForm(request.POST)
        if form.is_valid():
            item = selectors.review_item_get(user=user, item_id=item_id)
            try:
                services.review_decide(
                    item=item,
                    actor=user,
                    decision=form.cleaned_data["decision"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Decision recorded."))
                return redirect("resolution:review_queue")
        status = 400
    view = selectors.review_item_for_detail(user=user, item_id=item_id)
    fields = [
        {
            **f,
            "field_label": field_label(f),
            "level_label": level_label(str(f.get("label", ""))),
            "words": field_words(f),
        }
        for f in view.fields
    ]
    thresholds = thresholds_for([view.right.record])
    context = {
        "view": view,
        "fields": fields,
        "total": total_words(view.item.score),
        "reason_label": review_reason_label(view.item.reason),
        "second_person": view.item.reason == SECOND_PERSON,
        "thresholds": thresholds,
        "form": form,
    }
    return render(request, "resolution/review_item.html", context, status=status)


@login_required
def person_detail(request: HttpRequest, person_id: int) -> HttpResponse:
    user = _user(request)
    view = selectors.person_for_detail(user=user, person_id=person_id)
    context = {
        "view": view,
        "merge_form": MergeForm(),
        "unmerge_form": UnmergeForm(),
        "can_merge": permissions.can_work_cases(user),
        "person_cases": registry.person_cases(user=user, person_id=view.person.pk),
    }
    return render(request, "resolution/person_detail.html", context)


@login_required
@require_POST
def person_merge(request: HttpRequest, person_id: int) -> HttpResponse:
    user = _user(request)
    selectors.require_casework(user)
    source = selectors.person_get(user=user, person_id=person_id)
    form = MergeForm(request.POST)
    if form.is_valid():
        target: Person = selectors.person_get(user=user, person_id=form.cleaned_data["target"])
        try:
            services.person_merge(
                source=source, target=target, actor=user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("resolution:person_detail", person_id=source.pk)
        messages.success(request, _("Merged. The merge can be undone from this page."))
        return redirect("resolution:person_detail", person_id=target.pk)
    messages.error(request, _("Give the number of the person to merge into, and why."))
    return redirect("resolution:person_detail", person_id=source.pk)


@login_required
@require_POST
def person_unmerge(request: HttpRequest, merge_id: int) -> HttpResponse:
    user = _user(request)
    merge = selectors.merge_get(user=user, merge_id=merge_id)
    form = UnmergeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the merge is wrong."))
        return redirect("resolution:person_detail", person_id=merge.target_id)
    try:
        services.person_unmerge(merge=merge, actor=user, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("resolution:person_detail", person_id=merge.target_id)
    messages.success(request, _("Merge undone: the records link to their earlier person again."))
    return redirect("resolution:person_detail", person_id=merge.source_id)
