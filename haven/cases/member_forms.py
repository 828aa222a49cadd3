"""The household section's form on the case page (kept apart from forms.py)."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from haven.intake.models import Relationship

from .merge_forms import _REFERENCE

_PERSON = re.compile(r"^\s*(?:person\s*)?#?\s*(\d{1,12})\s*$", re.IGNORECASE)


class HouseholdForm(forms.Form):
    """One form for every household change; the button pressed names the action."""

    ACTIONS = ("add", "remove", "move", "split", "principal")

    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS])
    people = forms.TypedMultipleChoiceField(
        label=_("Members"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    person = forms.CharField(
        label=_("Person number to add"),
        max_length=30,
        required=False,
        help_text=_("As shown on the person's page, e.g. 1234."),
    )
    relationship = forms.ChoiceField(
        label=_("Relationship to the principal"),
        choices=Relationship.choices,
        initial=Relationship.OTHER,
        required=False,
    )
    target = forms.CharField(
        label=_("Move to case"),
        max_length=30,
        required=False,
        help_text=_("The case they join, e.g. C-0000042."),
    )
    principal = forms.TypedChoiceField(
        label=_("Principal"), coerce=int, required=False, empty_value=None
    )
    reason = forms.CharField(
        label=_("Why (optional)"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"dir": "auto"}),
    )

    def __init__(self, *args: object, members: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["people"].choices = members  # type: ignore[attr-defined]
        self.fields["principal"].choices = [("", "—"), *members]  # type: ignore[attr-defined]

    def clean_person(self) -> int | None:
        value = self.cleaned_data.get("person", "")
        if not value:
            return None
        match = _PERSON.match(value)
        if match is None:
            raise forms.ValidationError(_("Give a person number such as 1234."))
        return int(match.group(1))

    def clean_target(self) -> int | None:
        value = self.cleaned_data.get("target", "")
        if not value:
            return None
        match = _REFERENCE.match(value)
        if match is None or int(match.group(1)) == 0:
            raise forms.ValidationError(_("Give a case number such as C-0000042."))
        return int(match.group(1))

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        action = data.get("action")
        if action == "add" and not data.get("person") and "person" not in self.errors:
            self.add_error("person", _("Give the number of the person to add."))
        if action == "move" and not data.get("target") and "target" not in self.errors:
            self.add_error("target", _("Give the case to move them to."))
        if action in {"remove", "move", "split"} and not data.get("people"):
            self.add_error("people", _("Tick the members this applies to."))
        if action == "principal" and not data.get("principal"):
            self.add_error("principal", _("Choose the member who becomes the principal."))
        return data
