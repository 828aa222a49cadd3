"""Forms of the administration screens: what an admin types, checked before any service runs."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Organization, Role, Team, User
from .models_api import ApiScope


class InviteForm(forms.Form):
    username = forms.RegexField(
        label=_("User name"),
        max_length=150,
        regex=r"^[\w.@+-]+\Z",
        error_messages={"invalid": _("Letters, digits and . @ + - _ only.")},
    )
    email = forms.EmailField(
        label=_("E-mail"),
        required=False,
        help_text=_("The one-time link is sent here. Without an address, you pass it on."),
    )
    first_name = forms.CharField(label=_("Given name"), required=False, max_length=150)
    last_name = forms.CharField(label=_("Family name"), required=False, max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    organization = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organization.objects.order_by("name"), required=False
    )


class UserEditForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    organization = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organization.objects.order_by("name"), required=False
    )
    teams = forms.ModelMultipleChoiceField(
        label=_("Teams"),
        queryset=Team.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("“Take next” offers the person the cases their teams cover."),
    )


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Team.Kind.choices)
    values = forms.CharField(
        label=_("Covers"),
        max_length=2000,
        required=False,
        help_text=_(
            "Separated by commas: language codes (fa, ps, en), provinces as written "
            "(Kabul, Peshawar), or pathway codes (siv_apply, p2). Cases queued for the team "
            "are its own whatever this says."
        ),
    )

    def clean_values(self) -> list[str]:
        raw = self.cleaned_data.get("values", "")
        values = [v.strip() for v in raw.replace("،", ",").split(",") if v.strip()]
        if any(len(v) > 100 for v in values):
            raise forms.ValidationError(_("Each value may have at most 100 characters."))
        return values


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        widget=forms.TextInput,
        help_text=_("Kept in the audit trail."),
    )


class OrganizationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Organization.Kind.choices)
    category = forms.CharField(
        label=_("Category"),
        max_length=100,
        required=False,
        help_text=_("For example UNHCR, IOM, NGO, government office."),
    )


class TokenForm(forms.Form):
    organization = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organization.objects.order_by("name")
    )
    name = forms.CharField(
        label=_("Label"), max_length=100, required=False, help_text=_("e.g. the partner's system")
    )
    scopes = forms.MultipleChoiceField(
        label=_("Allowed to"),
        choices=ApiScope.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[ApiScope.REQUESTS_WRITE],
    )
    expires_in_days = forms.IntegerField(
        label=_("Expires after (days)"),
        min_value=1,
        max_value=730,
        initial=90,
        required=False,
        help_text=_("Empty: never. A token that expires is one less to forget."),
    )
    issued_to = forms.ModelChoiceField(
        label=_("Answerable person"),
        queryset=User.objects.filter(is_active=True).order_by("username"),
        required=False,
        help_text=_("Deactivating this person's account revokes the token."),
    )
    rate_limit_per_minute = forms.IntegerField(
        label=_("Requests per minute"),
        min_value=0,
        required=False,
        help_text=_("Empty: the site's default. 0: unlimited."),
    )

    def expires_at(self) -> dt.datetime | None:
        days = self.cleaned_data.get("expires_in_days")
        return timezone.now() + dt.timedelta(days=days) if days else None
