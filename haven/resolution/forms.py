from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from haven.common.forms import DirAutoForm

from .models import ReviewDecision


class ReviewDecisionForm(DirAutoForm):
    decision = forms.ChoiceField(
        label=_("Are these the same person?"),
        choices=ReviewDecision.Decision.choices,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=500)


class MergeForm(DirAutoForm):
    target = forms.IntegerField(label=_("Merge this person into person number"), min_value=1)
    reason = forms.CharField(label=_("Why"), max_length=300)


class UnmergeForm(DirAutoForm):
    reason = forms.CharField(label=_("Why is this merge wrong?"), max_length=300)
