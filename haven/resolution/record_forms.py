"""The form staff correct a person record with (kept apart from forms.py)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from haven.intake.models import IdentifierKind, Sex

from .services_records import RecordValues

_TEXT = {"dir": "auto"}


class RecordEditForm(forms.Form):
    full_name = forms.CharField(
        label=_("Full name"), max_length=300, required=False, widget=forms.TextInput(_TEXT)
    )
    given_name = forms.CharField(
        label=_("Given name"), max_length=150, required=False, widget=forms.TextInput(_TEXT)
    )
    family_name = forms.CharField(
        label=_("Family name"), max_length=150, required=False, widget=forms.TextInput(_TEXT)
    )
    father_name = forms.CharField(
        label=_("Father's name"), max_length=150, required=False, widget=forms.TextInput(_TEXT)
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, required=False)
    date_of_birth = forms.CharField(
        label=_("Date of birth"),
        max_length=50,
        required=False,
        help_text=_("1988, 12/04/1988, 1988-04-12, or Solar Hijri 1367 or 1367/01/23."),
        widget=forms.TextInput(_TEXT),
    )
    reason = forms.CharField(
        label=_("Why is it corrected?"),
        max_length=300,
        required=False,
        widget=forms.TextInput(_TEXT),
    )
    duplicate_confirmed = forms.BooleanField(
        label=_("I compared the two: they are different people. Save anyway."),
        required=False,
    )

    def __init__(self, *args: Any, identifier_rows: int = 3, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.identifier_rows = identifier_rows
        kinds = [("", "—"), *IdentifierKind.choices]
        for i in range(identifier_rows):
            self.fields[f"identifier_kind_{i}"] = forms.ChoiceField(
                label=_("Identifier kind"), choices=kinds, required=False
            )
            self.fields[f"identifier_value_{i}"] = forms.CharField(
                label=_("Number"), max_length=100, required=False, widget=forms.TextInput(_TEXT)
            )

    def identifier_fields(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [
            (self[f"identifier_kind_{i}"], self[f"identifier_value_{i}"])
            for i in range(self.identifier_rows)
        ]

    def values(self) -> RecordValues:
        data = self.cleaned_data
        identifiers = tuple(
            (data[f"identifier_kind_{i}"], data[f"identifier_value_{i}"])
            for i in range(self.identifier_rows)
            if data.get(f"identifier_value_{i}", "").strip()
        )
        return RecordValues(
            full_name=data["full_name"],
            given_name=data["given_name"],
            family_name=data["family_name"],
            father_name=data["father_name"],
            sex=data["sex"],
            date_of_birth=data["date_of_birth"],
            identifiers=identifiers,
        )


def initial_of(source: Any, identifiers: list[tuple[str, str]]) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "full_name": source.full_name,
        "given_name": source.given_name,
        "family_name": source.family_name,
        "father_name": source.father_name,
        "sex": source.sex,
        "date_of_birth": source.dob_as_written,
    }
    for i, (kind, value) in enumerate(identifiers):
        initial[f"identifier_kind_{i}"] = kind
        initial[f"identifier_value_{i}"] = value
    return initial
