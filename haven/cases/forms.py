from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from haven.common.forms import DirAutoForm
from haven.intake.models import Channel, Request

from .models import Case
from .selectors import CaseFilters


class CaseFilterForm(DirAutoForm):
    q = forms.CharField(
        label=_("Name, receipt number or document number"), required=False, max_length=200
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any")), *Case.Status.choices]
    )
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", _("Any")), *Channel.choices]
    )
    received_from = forms.DateField(
        label=_("Received from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    received_to = forms.DateField(
        label=_("Received to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    # Slices the dashboard links to (haven.reports); carried as hidden fields.
    pathway = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    assignee = forms.RegexField(
        regex=r"^(none|[0-9]{1,12})$", required=False, widget=forms.HiddenInput
    )
    team = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    province = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)
    open = forms.BooleanField(required=False, widget=forms.HiddenInput)
    first_from = forms.DateField(required=False, widget=forms.HiddenInput)
    first_to = forms.DateField(required=False, widget=forms.HiddenInput)
    data_entry = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def filters(self) -> CaseFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return CaseFilters(
            q=data.get("q", ""),
            status=data.get("status", ""),
            channel=data.get("channel", ""),
            received_from=data.get("received_from"),
            received_to=data.get("received_to"),
            pathway=data.get("pathway", ""),
            assignee=data.get("assignee", ""),
            team=data.get("team"),
            province=(data.get("province") or "").strip(),
            is_open=bool(data.get("open")),
            first_from=data.get("first_from"),
            first_to=data.get("first_to"),
            data_entry=bool(data.get("data_entry")),
        )

    def report_slice(self) -> bool:
        """Whether the list is narrowed by a dashboard figure's link (said on the page)."""
        data = self.cleaned_data if self.is_valid() else {}
        names = ("pathway", "assignee", "team", "province", "open", "first_from", "first_to")
        return any(data.get(n) for n in (*names, "data_entry"))


class NoteForm(DirAutoForm):
    body = forms.CharField(label=_("Note"), widget=forms.Textarea, max_length=10000)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Case.Status.choices)
    # The requester reads it on the status page, in neutral words.
    outcome = forms.ChoiceField(
        label=_("Outcome (when closing)"),
        required=False,
        choices=[("", "—"), *Request.Outcome.choices],
        help_text=_("Shown to the requester on the status page."),
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("status") == Case.Status.CLOSED and not data.get("outcome"):
            self.add_error("outcome", _("Choose the outcome: the requester is told it."))
        if data.get("status") != Case.Status.CLOSED and data.get("outcome"):
            self.add_error("outcome", _("An outcome is only for closing a case."))
        return data
