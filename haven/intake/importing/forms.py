"""Upload and column-mapping forms for the import pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from haven.accounts.models import Organization

from . import facts_columns
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


class FactValuesForm(forms.Form):
    """What each eligibility answer the dry run did not understand means, one choice per value.
    Left empty, the value stays a note on the request."""

    def __init__(self, *args: Any, unknown_values: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.unknown_values = [
            u for u in unknown_values if u["column"] in facts_columns.COLUMN_FACT
        ]
        for index, unknown in enumerate(self.unknown_values):
            codes = facts_columns.choices(unknown["column"])
            labels = facts_columns.VALUE_LABELS
            self.fields[f"value_{index}"] = forms.ChoiceField(
                label=f"{FIELDS[unknown['column']]}: “{unknown['value']}”",
                choices=[("", _("Not sure: keep it as a note"))]
                + [(code, labels.get(code, code.replace("_", " "))) for code in codes],
                required=False,
                help_text=_("%(n)s rows") % {"n": unknown["rows"]},
            )

    def values(self) -> dict[str, dict[str, str]]:
        chosen: dict[str, dict[str, str]] = {}
        for index, unknown in enumerate(self.unknown_values):
            code = self.cleaned_data.get(f"value_{index}") or ""
            if code:
                chosen.setdefault(unknown["column"], {})[unknown["value"]] = code
        return chosen
