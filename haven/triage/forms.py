"""The caseworker's form for correcting a case's facts; blank means unknown."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from .facts import BOOL, COUNTRY, FACTS, INT, LIST, FactSpec, choice_label

_UNKNOWN = ("", _("Unknown"))

# A choice's label, looked up in the language the form is rendered in.
_LabelOf = lazy(choice_label, str)
_NONE_OF_THESE = "none"


def _field(spec: FactSpec) -> forms.Field:
    if spec.kind == BOOL:
        return forms.TypedChoiceField(
            label=str(spec.label),
            required=False,
            choices=[_UNKNOWN, ("true", _("Yes")), ("false", _("No"))],
            coerce=lambda value: value == "true",
            empty_value=None,
        )
    if spec.kind == INT:
        return forms.IntegerField(label=str(spec.label), required=False, min_value=0)
    if spec.kind == COUNTRY:
        return forms.CharField(
            label=str(spec.label), required=False, max_length=2, help_text=_("Two letters, e.g. AF")
        )
    if spec.kind == LIST:
        return forms.MultipleChoiceField(
            label=str(spec.label),
            required=False,
            widget=forms.CheckboxSelectMultiple,
            choices=[(c, _LabelOf(c)) for c in spec.choices or ()]
            + [(_NONE_OF_THESE, _("None of these"))],
            help_text=_("Tick nothing if unknown."),
        )
    return forms.ChoiceField(
        label=str(spec.label),
        required=False,
        choices=[_UNKNOWN] + [(c, _LabelOf(c)) for c in spec.choices or ()],
    )


class FactsForm(forms.Form):
    note = forms.CharField(
        label=_("Why the correction"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, facts: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        facts = facts or {}
        for name, spec in FACTS.items():
            if spec.derived:
                continue
            field = _field(spec)
            value = facts.get(name)
            if spec.kind == BOOL and value is not None:
                value = "true" if value else "false"
            elif spec.kind == LIST and value == []:
                value = [_NONE_OF_THESE]
            field.initial = value
            self.fields[name] = field
        self.order_fields([*FACTS, "note"])

    def clean_vulnerabilities(self) -> list[str] | None:
        chosen = self.cleaned_data.get("vulnerabilities") or []
        if _NONE_OF_THESE in chosen and len(chosen) > 1:
            raise forms.ValidationError(_("'None of these' cannot be ticked with others."))
        if not chosen:
            return None
        return [] if chosen == [_NONE_OF_THESE] else list(chosen)

    def changes(self) -> dict[str, Any]:
        """Every fact in the form, None for unknown; the service keeps what differs."""
        result: dict[str, Any] = {}
        for name, spec in FACTS.items():
            if spec.derived:
                continue
            value = self.cleaned_data.get(name)
            result[name] = None if value in ("", None) else value
        return result
