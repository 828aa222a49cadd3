"""The data-sharing agreement form: what a partner receives and how (the agreements screen)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import (
    SHAREABLE_FIELDS,
    SHAREABLE_IDENTIFIERS,
    Delivery,
    SharingAgreement,
    Urgency,
)
from .services_consent import DEADLINE_BOUNDS

IDENTIFIER_LABELS = {
    "passport": _("Passport"),
    "e_tazkira": _("e-Tazkira"),
    "paper_tazkira": _("Paper tazkira"),
    "siv_case": _("SIV case number"),
    "unhcr": _("UNHCR registration number"),
}


def deadline_field(urgency: str, key: str) -> str:
    return f"{urgency}_{key}"


class AgreementForm(forms.Form):
    fields_shared = forms.MultipleChoiceField(
        label=_("Fields the partner receives"),
        choices=list(SHAREABLE_FIELDS.items()),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one field the partner may receive.")},
    )
    identifier_kinds = forms.MultipleChoiceField(
        label=_("Identifiers the partner receives (none unless chosen)"),
        choices=[(k, IDENTIFIER_LABELS.get(k, k)) for k in SHAREABLE_IDENTIFIERS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    delivery = forms.ChoiceField(
        label=_("How the partner receives referrals"),
        choices=Delivery.choices,
        widget=forms.RadioSelect,
    )
    contact_email = forms.EmailField(
        label=_("Contact e-mail (the link to each referral)"),
        required=False,
        help_text=_("Needed for a partner not on Haven."),
        error_messages={"invalid": _("Enter a whole e-mail address, like referrals@example.org.")},
    )
    code_email = forms.EmailField(
        label=_("E-mail for one-time codes (another inbox)"),
        required=False,
        help_text=_("Empty: the code goes to the contact address, in a message of its own."),
        error_messages={"invalid": _("Enter a whole e-mail address, like codes@example.org.")},
    )
    passphrase = forms.CharField(
        label=_("New agreed passphrase"),
        required=False,
        min_length=12,
        max_length=200,
        strip=False,
        help_text=_("At least 12 characters. Empty: the current passphrase stays."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"min_length": _("A passphrase needs at least 12 characters.")},
    )
    passphrase_clear = forms.BooleanField(label=_("Remove the agreed passphrase"), required=False)

    def __init__(self, *args: Any, agreement: SharingAgreement | None = None, **kw: Any):
        super().__init__(*args, **kw)
        labels = {
            "acknowledge_hours": _("%(urgency)s: hours to acknowledge"),
            "outcome_days": _("%(urgency)s: days to an outcome"),
        }
        for urgency, urgency_label in Urgency.choices:
            for key, (low, high) in DEADLINE_BOUNDS.items():
                self.fields[deadline_field(urgency, key)] = forms.IntegerField(
                    label=labels[key] % {"urgency": urgency_label},
                    min_value=low,
                    max_value=high,
                    error_messages={
                        "required": _("Give a number between %(low)s and %(high)s.")
                        % {"low": low, "high": high},
                        "invalid": _("Give a whole number."),
                        "min_value": _("At least %(limit_value)s."),
                        "max_value": _("At most %(limit_value)s."),
                    },
                )
        if not self.is_bound:
            self.initial.update(self._initial_from(agreement))

    @staticmethod
    def _initial_from(agreement: SharingAgreement | None) -> dict[str, Any]:
        probe = agreement or SharingAgreement(deadlines={})
        initial: dict[str, Any] = {}
        for urgency in Urgency.values:
            acknowledge, outcome = probe.deadline(urgency)
            initial[deadline_field(urgency, "acknowledge_hours")] = int(
                acknowledge.total_seconds() // 3600
            )
            initial[deadline_field(urgency, "outcome_days")] = outcome.days
        if agreement is None:
            return {**initial, "delivery": Delivery.ON_HAVEN}
        return {
            **initial,
            "fields_shared": list(agreement.fields),
            "identifier_kinds": list(agreement.identifier_kinds),
            "delivery": agreement.delivery,
            "contact_email": agreement.contact_email,
            "code_email": agreement.code_email,
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        off_haven = data.get("delivery") == Delivery.OFF_HAVEN
        if off_haven and not data.get("contact_email") and "contact_email" not in self.errors:
            self.add_error(
                "contact_email", _("A partner not on Haven needs a contact e-mail address.")
            )
        if data.get("passphrase") and data.get("passphrase_clear"):
            self.add_error(
                "passphrase_clear", _("Either set a new passphrase or remove it, not both.")
            )
        return data

    def deadlines(self) -> dict[str, dict[str, int]]:
        return {
            urgency: {
                key: self.cleaned_data[deadline_field(urgency, key)] for key in DEADLINE_BOUNDS
            }
            for urgency in Urgency.values
        }

    def deadline_rows(self) -> list[tuple[str, list[forms.BoundField]]]:
        """(urgency label, its bound fields) for the template's table."""
        return [
            (str(label), [self[deadline_field(urgency, key)] for key in DEADLINE_BOUNDS])
            for urgency, label in Urgency.choices
        ]
