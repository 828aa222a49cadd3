"""Upload and column-mapping forms for the import pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from haven.accounts.models import Organization

from .fields import FIELDS


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet (XLSX or CSV)"),
        help_text=_("CSV may be UTF-8 or Windows Arabic (1256). Only the first sheet is read."),
    )
    source = forms.ModelChoiceField(
        label=_("Sent by"), queryset=Organization.objects.order_by("name"), required=False
    )
    new_source = forms.CharField(
        label=_("…or a new sending organisation"), max_length=200, required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("source") and not (data.get("new_source") or "").strip():
            raise forms.ValidationError(_("Say which organisation sent the file."))
        return data


class MappingForm(forms.Form):
    """One choice per column, preset to what was recognised."""

    def __init__(self, *args: Any, headers: list[str], mapping: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(key, label) for key, label in FIELDS.items()]
        for index, header in enumerate(headers):
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=header.strip() or _("Column %(n)s") % {"n": index + 1},
                choices=choices,
                initial=mapping[index] if index < len(mapping) else "notes",
            )

    def mapping(self) -> list[str]:
        return [self.cleaned_data[f"column_{i}"] for i in range(len(self.fields))]
