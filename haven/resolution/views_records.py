"""Correcting a person record: the form beside the record as received and its versions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from haven.accounts import permissions
from haven.accounts.models import User

from . import selectors_records, services_records
from .record_forms import RecordEditForm, initial_of


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@login_required
@require_http_methods(["GET", "POST"])
def record_edit(request: HttpRequest, record_id: int) -> HttpResponse:
    user = _user(request)
    if not permissions.can_view_cases(user):
        raise Http404  # partners and accounts without a role: no such page for them
    if not permissions.can_work_cases(user):
        raise PermissionDenied
    view = selectors_records.record_for_edit(user=user, record_id=record_id)
    rows = max(3, len(view.identifiers) + 1)
    status, duplicate = 200, None
    if request.method == "POST":
        form = RecordEditForm(request.POST, identifier_rows=int(request.POST.get("rows", rows)))
        if form.is_valid():
            try:
                result = services_records.record_edit(
                    record=view.record,
                    actor=user,
                    values=form.values(),
                    reason=form.cleaned_data["reason"],
                    duplicate_confirmed=form.cleaned_data["duplicate_confirmed"],
                )
            except services_records.RecordDuplicate as error:
                duplicate = error.person_id
                form.add_error(None, error.messages[0])
            except ValidationError as error:
                _errors_show(form, error)
            else:
                text = _("Record corrected: version %(n)s.") % {"n": result.version.number}
                if result.review_people:
                    text += " " + _("It may be the same as another person: sent to review.")
                messages.success(request, text)
                return redirect("resolution:person_detail", person_id=view.person_id)
        status = 400
    else:
        source = view.current or view.record
        form = RecordEditForm(initial=initial_of(source, view.identifiers), identifier_rows=rows)
    context = {"view": view, "form": form, "duplicate_person": duplicate}
    return render(request, "resolution/record_edit.html", context, status=status)


def _errors_show(form: RecordEditForm, error: ValidationError) -> None:
    """Each message beside its field where the form has one, else above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, problems in error.message_dict.items():
        for problem in problems:
            form.add_error(name if name in form.fields else None, problem)
