from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class LegalHoldForm(forms.Form):
    """Placing or lifting a hold: a reason (kept encrypted, and in the audit trail) and a
    confirmation, so a click alone never changes what retention may erase."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        widget=forms.TextInput(attrs={"dir": "auto", "autocomplete": "off"}),
    )
    confirm = forms.BooleanField(label=_("I confirm"), required=True)

    def clean_reason(self) -> str:
        reason: str = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Give a reason."))
        return reason
