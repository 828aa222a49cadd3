from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from haven.accounts.models import Organization
from haven.triage.pathways import PATHWAYS

from . import selectors
from .lifecycle import partner_moves
from .models import Consent, ReferralOutcome, ReferralStatus, Service, Urgency
from .selectors import PartnerFilters


class _ServiceChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.organization.name} — {obj.name}"


class ReferralForm(forms.Form):
    service = _ServiceChoice(
        label=_("Partner and service"),
        queryset=Service.objects.none(),
        error_messages={
            "invalid_choice": _("Choose a partner and service from the directory."),
            "required": _("Choose a partner and service."),
        },
    )
    members = forms.MultipleChoiceField(
        label=_("Who is referred"), widget=forms.CheckboxSelectMultiple
    )
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices)
    reason = forms.CharField(
        label=_("Reason for the referral"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
    )
    override_reason = forms.CharField(
        label=_("Consent override (supervisors only): written reason"),
        required=False,
        max_length=2000,
        help_text=_("Only when the household's consent cannot be obtained; audited and shown."),
        widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
    )

    def __init__(self, *args: Any, members: list[tuple[int, str]], can_override: bool, **kw: Any):
        super().__init__(*args, **kw)
        self.fields["service"].queryset = selectors.services_for_referral()  # type: ignore[attr-defined]
        self.fields["members"].choices = members  # type: ignore[attr-defined]
        self.fields["members"].initial = [m for m, _label in members]
        if not can_override:
            del self.fields["override_reason"]


class ConsentForm(forms.Form):
    given_at = forms.DateTimeField(
        label=_("Consent given at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    given_by = forms.CharField(
        label=_("Given by (who in the household)"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"dir": "auto"}),
    )
    purpose = forms.CharField(
        label=_("Purpose"),
        max_length=300,
        initial=_("Referral to partner organisations for assistance"),
        widget=forms.TextInput(attrs={"dir": "auto"}),
    )
    scope = forms.ChoiceField(
        label=_("Share with"), choices=Consent.Scope.choices, widget=forms.RadioSelect
    )
    partner_kinds = forms.MultipleChoiceField(
        label=_("Kinds of partner"), required=False, widget=forms.CheckboxSelectMultiple
    )
    partners = forms.ModelMultipleChoiceField(
        label=_("Named partners"),
        required=False,
        queryset=Organization.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    source = forms.ChoiceField(
        label=_("How it was given"),
        choices=[c for c in Consent.Source.choices if c[0] != Consent.Source.REQUEST],
    )
    note = forms.CharField(
        label=_("Note (what was explained)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
    )

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        partners = selectors.partners_all()
        self.fields["partners"].queryset = partners  # type: ignore[attr-defined]
        kinds = sorted({p.category for p in partners if p.category})
        self.fields["partner_kinds"].choices = [(k, k) for k in kinds]  # type: ignore[attr-defined]
        self.fields["given_at"].initial = timezone.localtime().strftime("%Y-%m-%dT%H:%M")


class PartnerStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"))
    reason = forms.CharField(
        label=_("Reason (when declining)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
    )
    outcome = forms.ChoiceField(
        label=_("Outcome (when completing)"),
        required=False,
        choices=[("", "—"), *ReferralOutcome.choices],
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
    )

    def __init__(self, *args: Any, current: str, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["status"].choices = [  # type: ignore[attr-defined]
            (s, ReferralStatus(s).label) for s in partner_moves(current)
        ] or [(ReferralStatus.SENT, ReferralStatus.SENT.label)]


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"})
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why it is withdrawn"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
    )


class WorkspaceFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("Any")),
            *[(s.value, s.label) for s in ReferralStatus if s not in ("draft", "withdrawn")],
        ],
    )
    service = forms.ModelChoiceField(
        label=_("Service"), required=False, queryset=Service.objects.none(), empty_label=_("Any")
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args: Any, organization: Organization, **kw: Any) -> None:
        super().__init__(*args, **kw)
        services = selectors.services_of(organization=organization)
        self.fields["service"].queryset = services  # type: ignore[attr-defined]

    def filters(self) -> PartnerFilters:
        data = self.cleaned_data if self.is_valid() else {}
        service = data.get("service")
        return PartnerFilters(
            status=data.get("status", ""),
            service=service.pk if service else None,
            overdue=bool(data.get("overdue")),
        )


class BulkForm(forms.Form):
    pathway = forms.ChoiceField(
        label=_("Queue"), choices=[(k, v) for k, v in PATHWAYS.items()], initial="refer_unhcr"
    )
    service = _ServiceChoice(
        label=_("Partner and service"),
        queryset=Service.objects.none(),
        error_messages={"invalid_choice": _("Choose a partner and service from the directory.")},
    )
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices)
    reason = forms.CharField(
        label=_("Reason for the referrals"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
    )

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["service"].queryset = selectors.services_for_referral()  # type: ignore[attr-defined]


class LinkCodeForm(forms.Form):
    secret = forms.CharField(
        label=_("One-time code or agreed passphrase"),
        max_length=200,
        widget=forms.PasswordInput(attrs={"autocomplete": "one-time-code"}),
    )


class DownloadForm(forms.Form):
    password = forms.CharField(
        label=_("Password for the file (at least 12 characters)"),
        min_length=12,
        max_length=200,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
