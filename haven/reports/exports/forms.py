from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from haven.triage.pathways import PATHWAYS

from ..filters import period_error


class ExportRequestForm(forms.Form):
    """The period and slice of an export; the fields (checkboxes named `fields` and
    `unmasked`) are checked by services.fields_check, so a field a role may not export is
    refused with a message naming it rather than silently dropped."""

    date_from = forms.DateField(
        label=_("First request from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = forms.DateField(
        label=_("First request to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    pathway = forms.ChoiceField(label=_("Pathway"), required=False)
    province = forms.CharField(label=_("Province"), required=False, max_length=100)
    open = forms.BooleanField(label=_("Open cases only"), required=False, initial=True)
    reason = forms.CharField(
        label=_("Why is this export needed?"),
        max_length=300,
        help_text=_("Kept in the export register with the request."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pathway"].choices = [("", _("Any")), *PATHWAYS.items()]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        error = period_error(data.get("date_from"), data.get("date_to"))
        if error:
            raise forms.ValidationError(error)
        return data

    def filters(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            key: value
            for key, value in {
                "date_from": data["date_from"].isoformat() if data.get("date_from") else "",
                "date_to": data["date_to"].isoformat() if data.get("date_to") else "",
                "pathway": data.get("pathway", ""),
                "province": (data.get("province") or "").strip(),
                "open": bool(data.get("open")),
            }.items()
            if value
        }
