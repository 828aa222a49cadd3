"""The supervisor's "merge this case into another" form (kept apart from forms.py)."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

_REFERENCE = re.compile(r"^\s*(?:C\s*-?\s*)?0*(\d{1,12})\s*$", re.IGNORECASE)


class CaseMergeForm(forms.Form):
    target = forms.CharField(
        label=_("Merge this case into case"),
        max_length=30,
        help_text=_("The case that stays open, e.g. C-0000042."),
        error_messages={"required": _("Give a case number such as C-0000042.")},
    )
    reason = forms.CharField(label=_("Why"), required=False, max_length=300)

    def clean_target(self) -> int:
        match = _REFERENCE.match(self.cleaned_data["target"])
        if match is None or int(match.group(1)) == 0:
            raise forms.ValidationError(_("Give a case number such as C-0000042."))
        return int(match.group(1))
