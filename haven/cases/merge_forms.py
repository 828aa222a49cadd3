"""The supervisor's merge of cases and its undoing (kept apart from forms.py)."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

_REFERENCE = re.compile(r"^\s*(?:C\s*-?\s*)?0*(\d{1,12})\s*$", re.IGNORECASE)


class CaseMergeTargetForm(forms.Form):
    """Step one, on the case page: which case this one is merged into."""

    target = forms.CharField(
        label=_("Merge this case into case"),
        max_length=30,
        help_text=_("The case that stays open, e.g. C-0000042."),
        error_messages={"required": _("Give a case number such as C-0000042.")},
    )

    def clean_target(self) -> int:
        match = _REFERENCE.match(self.cleaned_data["target"])
        if match is None or int(match.group(1)) == 0:
            raise forms.ValidationError(_("Give a case number such as C-0000042."))
        return int(match.group(1))


class CaseMergeForm(CaseMergeTargetForm):
    """Step two, on the confirmation page: why, and that the direction is the right one."""

    reason = forms.CharField(
        label=_("Why are these one household?"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
        error_messages={"required": _("Say why these two cases are one household.")},
    )
    confirm = forms.BooleanField(
        label=_("I have compared both cases and the direction is right."),
        error_messages={"required": _("Tick the box to confirm the merge and its direction.")},
    )


class CaseMergeUndoForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the merge wrong?"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
        error_messages={"required": _("Say why the merge is wrong.")},
    )
