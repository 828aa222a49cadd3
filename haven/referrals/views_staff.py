"""The task force's referral list (`/referrals/list/`): what the dashboard's referral figures
count, one row per referral, filtered by partner, status, service, overdue and sent day."""

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
from haven.cases.models import Case

from . import selectors
from .models import ReferralStatus
from .selectors_staff import (
    StaffReferralFilters,
    audit_staff_referral_list,
    staff_referral_list,
)
from .views import _user

PAGE_SIZE = 25


class StaffReferralFilterForm(forms.Form):
    partner = forms.TypedChoiceField(
        label=_("Partner"), required=False, coerce=int, empty_value=None
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any")), *ReferralStatus.choices],
    )
    service = forms.TypedChoiceField(
        label=_("Service"), required=False, coerce=int, empty_value=None
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    sent_from = forms.DateField(
        label=_("Sent from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    sent_to = forms.DateField(
        label=_("Sent to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        partners = selectors.partners_all()
        self.fields["partner"].choices = [  # type: ignore[attr-defined]
            ("", _("Any")),
            *((str(o.pk), o.name) for o in partners),
        ]
        services = selectors.services_all()
        self.fields["service"].choices = [  # type: ignore[attr-defined]
            ("", _("Any")),
            *((str(s.pk), f"{s.organization.name}: {s.name}") for s in services),
        ]

    def filters(self) -> StaffReferralFilters:
        """The filters that are valid; one that is not is left out (and said so on the page)."""
        if not self.is_bound:
            return StaffReferralFilters()
        self.is_valid()
        data = {k: v for k, v in self.cleaned_data.items() if k not in self.errors}
        return StaffReferralFilters(
            partner=data.get("partner"),
            status=data.get("status", ""),
            service=data.get("service"),
            overdue=bool(data.get("overdue")),
            sent_from=data.get("sent_from"),
            sent_to=data.get("sent_to"),
        )


@login_required
def staff_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not permissions.can_list_case_work(user):
        raise PermissionDenied
    params = request.GET.copy()
    params.pop("page", None)
    form = StaffReferralFilterForm(params or None)
    filters = form.filters()
    found = staff_referral_list(user=user, filters=filters)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(r, Case(pk=r.case_id).reference) for r in page.object_list]
    audit_staff_referral_list(
        user=user, filters=filters, ids=[r.pk for r, _ref in rows], page=page.number
    )
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "query": params.urlencode(),
        "filtered": bool(params),
    }
    # Like the case list: a filter that cannot be used is named on the page, the rest apply.
    return render(request, "referrals/staff_list.html", context)
