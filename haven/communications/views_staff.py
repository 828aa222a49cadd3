"""The task force's message list (`/communications/messages/`): what the dashboard's message
figures count, one row per message, filtered by channel, status, purpose and day written."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from haven.accounts import permissions
from haven.accounts.models import User
from haven.cases.models import Case

from .models import PURPOSE_CHOICES, ChannelKind, Message
from .selectors_staff import StaffMessageFilters, audit_staff_message_list, staff_message_list

PAGE_SIZE = 25


class StaffMessageFilterForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", _("Any")), *ChannelKind.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any")), *Message.Status.choices]
    )
    purpose = forms.ChoiceField(
        label=_("Purpose"), required=False, choices=[("", _("Any")), *PURPOSE_CHOICES]
    )
    created_from = forms.DateField(
        label=_("Written from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    created_to = forms.DateField(
        label=_("Written to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def filters(self) -> StaffMessageFilters:
        """The filters that are valid; one that is not is left out (and said so on the page)."""
        if not self.is_bound:
            return StaffMessageFilters()
        self.is_valid()
        data: dict[str, Any] = {k: v for k, v in self.cleaned_data.items() if k not in self.errors}
        return StaffMessageFilters(
            channel=data.get("channel", ""),
            status=data.get("status", ""),
            purpose=data.get("purpose", ""),
            created_from=data.get("created_from"),
            created_to=data.get("created_to"),
        )


@login_required
def staff_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    if not permissions.can_list_case_work(user):
        raise PermissionDenied
    params = request.GET.copy()
    params.pop("page", None)
    form = StaffMessageFilterForm(params or None)
    filters = form.filters()
    found = staff_message_list(user=user, filters=filters)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(m, Case(pk=m.case_id).reference if m.case_id else "") for m in page.object_list]
    audit_staff_message_list(
        user=user, filters=filters, ids=[m.pk for m, _ref in rows], page=page.number
    )
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "query": params.urlencode(),
        "filtered": bool(params),
    }
    # Like the case list: a filter that cannot be used is named on the page, the rest apply.
    return render(request, "communications/message_list.html", context)
