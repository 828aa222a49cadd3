from __future__ import annotations

from typing import Any, Literal

from django import forms
from django.utils.translation import gettext_lazy as _

from haven.accounts import permissions
from haven.accounts.models import Team, User
from haven.common.forms import DirAutoForm
from haven.intake.models import Channel, Request

from . import registry
from .models import Case
from .selectors import CaseFilters

Choices = tuple[list[tuple[str, str]], list[tuple[str, str]]]


def choice_lists() -> Choices:
    """Workers and teams once, for the several forms of one page."""
    return _worker_choices(), _team_choices()


def _worker_choices() -> list[tuple[str, str]]:
    """Everyone a case can be assigned to (caseworkers, supervisors, administrators)."""
    users = User.objects.filter(is_active=True, role__in=permissions.CASEWORK_ROLES)
    return [(str(u.pk), str(u)) for u in users.order_by("username")]


def _team_choices() -> list[tuple[str, str]]:
    return [(str(t.pk), t.name) for t in Team.objects.order_by("name")]


class CaseFilterForm(DirAutoForm):
    """The case list's filters. A value that cannot be used is reported on its field and left
    out; the others still apply (the list is never an error page)."""

    q = forms.CharField(
        label=_("Name, receipt number or document number"), required=False, max_length=200
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any")), *Case.Status.choices]
    )
    pathway = forms.ChoiceField(label=_("Pathway"), required=False)
    priority_min = forms.IntegerField(
        label=_("Priority from"), required=False, min_value=-1_000_000, max_value=1_000_000
    )
    priority_max = forms.IntegerField(
        label=_("Priority to"), required=False, min_value=-1_000_000, max_value=1_000_000
    )
    assignee = forms.ChoiceField(label=_("Assigned to"), required=False)
    assigned_team = forms.ChoiceField(label=_("Team"), required=False)
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", _("Any")), *Channel.choices]
    )
    received_from = forms.DateField(
        label=_("Received from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    received_to = forms.DateField(
        label=_("Received to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    open = forms.BooleanField(label=_("Open cases only"), required=False)
    data_entry = forms.BooleanField(label=_("Needs data entry"), required=False)
    open_referral = forms.BooleanField(label=_("Has an open referral"), required=False)
    overdue = forms.BooleanField(label=_("Over the pathway's target"), required=False)

    # Slices the dashboard links to (haven.reports); carried as hidden fields. `team` there is
    # the assignee's organisation (the dashboard's "team"), not a Team.
    team = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    province = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)
    first_from = forms.DateField(required=False, widget=forms.HiddenInput)
    first_to = forms.DateField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        workers: list[tuple[str, str]] | None = None,
        teams: list[tuple[str, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        pathways = registry.pathway_choices()
        self.fields["pathway"].choices = [  # type: ignore[attr-defined]
            ("", _("Any")),
            ("none", _("Not yet triaged")),
            *pathways,
        ]
        self.fields["assignee"].choices = [  # type: ignore[attr-defined]
            ("", _("Anyone")),
            ("me", _("Me")),
            ("none", _("Nobody")),
            *(_worker_choices() if workers is None else workers),
        ]
        self.fields["assigned_team"].choices = [  # type: ignore[attr-defined]
            ("", _("Any")),
            ("none", _("No team")),
            *(_team_choices() if teams is None else teams),
        ]
        if registry.condition("open_referral") is None:
            del self.fields["open_referral"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("priority_min"), data.get("priority_max")
        if low is not None and high is not None and low > high:
            self.add_error("priority_max", _("“Priority to” must not be below “Priority from”."))
        return data

    def filters(self) -> CaseFilters:
        # Only the values that passed validation (the others are shown with their message).
        self.is_valid()
        data: dict[str, Any] = getattr(self, "cleaned_data", {})
        return CaseFilters(
            q=data.get("q", ""),
            status=data.get("status", ""),
            channel=data.get("channel", ""),
            received_from=data.get("received_from"),
            received_to=data.get("received_to"),
            pathway=data.get("pathway", ""),
            assignee=data.get("assignee", ""),
            team=data.get("team"),
            province=(data.get("province") or "").strip(),
            is_open=bool(data.get("open")),
            first_from=data.get("first_from"),
            first_to=data.get("first_to"),
            data_entry=bool(data.get("data_entry")),
            priority_min=data.get("priority_min"),
            priority_max=data.get("priority_max"),
            assigned_team=data.get("assigned_team", ""),
            open_referral=bool(data.get("open_referral")),
            overdue=bool(data.get("overdue")),
        )

    def report_slice(self) -> bool:
        """Whether the list is narrowed by a dashboard figure's link (said on the page)."""
        self.is_valid()
        data: dict[str, Any] = getattr(self, "cleaned_data", {})
        return any(data.get(n) for n in ("team", "province", "first_from", "first_to"))

    def saved_data(self) -> dict[str, str]:
        """What was sent, field by field: kept under a search id or a saved search."""
        return {name: str(self.data.get(name, "")) for name in self.fields if self.data.get(name)}


class AssignForm(forms.Form):
    """Assign one case or many: to someone, to a team, or both. "Leave as it is" changes
    nothing on that side; "Nobody" / "No team" clears it."""

    assignee = forms.ChoiceField(label=_("Assign to"), required=False)
    assigned_team = forms.ChoiceField(label=_("Team"), required=False)

    def __init__(
        self,
        *args: Any,
        workers: list[tuple[str, str]] | None = None,
        teams: list[tuple[str, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        # Any user id is accepted here (one without access is refused by the service with a
        # message that says why, not "not a valid choice"); the list offers the workers.
        self.fields["assignee"].choices = [  # type: ignore[attr-defined]
            ("", _("Leave as it is")),
            ("none", _("Nobody")),
            *(_worker_choices() if workers is None else workers),
        ]
        self.fields["assigned_team"].choices = [  # type: ignore[attr-defined]
            ("", _("Leave as it is")),
            ("none", _("No team")),
            *(_team_choices() if teams is None else teams),
        ]
        self.fields["assignee"].valid_value = _any_user_id  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("assignee") and not data.get("assigned_team"):
            raise forms.ValidationError(_("Choose someone to assign to, or a team."))
        return data

    def assignee_user(self) -> User | Literal["keep"] | None:
        value = self.cleaned_data.get("assignee", "")
        if not value:
            return "keep"
        if value == "none":
            return None
        user = User.objects.filter(pk=int(value)).first()
        if user is None:
            raise forms.ValidationError(_("There is no such user."))
        return user

    def team(self) -> Team | Literal["keep"] | None:
        value = self.cleaned_data.get("assigned_team", "")
        if not value:
            return "keep"
        return None if value == "none" else Team.objects.get(pk=int(value))


def _any_user_id(value: str) -> bool:
    return value in ("", "none") or (value.isdigit() and len(value) <= 12)


class CaseSelectionForm(forms.Form):
    """The cases ticked on a list (at most a page's worth at a time is never assumed)."""

    case = forms.TypedMultipleChoiceField(coerce=int, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["case"].valid_value = lambda v: str(v).isdigit() and len(str(v)) <= 12  # type: ignore[attr-defined]

    def clean_case(self) -> list[int]:
        ids = list(dict.fromkeys(self.cleaned_data.get("case") or []))
        if not ids:
            raise forms.ValidationError(_("Tick the cases first."))
        if len(ids) > MAX_SELECTED:
            raise forms.ValidationError(_("At most %(n)s cases at a time.") % {"n": MAX_SELECTED})
        return ids


# Cases changed by one bulk action from a list (a page or a few of them).
MAX_SELECTED = 1000


class BalanceForm(forms.Form):
    balance_team = forms.ChoiceField(label=_("Share among team"))

    def __init__(
        self, *args: Any, teams: list[tuple[str, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["balance_team"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *(_team_choices() if teams is None else teams),
        ]

    def team(self) -> Team:
        return Team.objects.get(pk=int(self.cleaned_data["balance_team"]))


class SavedSearchForm(DirAutoForm):
    name = forms.CharField(label=_("Name this search"), max_length=100)


class NoteForm(DirAutoForm):
    body = forms.CharField(label=_("Note"), widget=forms.Textarea, max_length=10000)
    restricted = forms.BooleanField(
        label=_("Restricted: caseworkers and supervisors only"),
        required=False,
        help_text=_("Intake officers will not see it."),
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Case.Status.choices)
    # The requester reads it on the status page, in neutral words.
    outcome = forms.ChoiceField(
        label=_("Outcome (when closing)"),
        required=False,
        choices=[("", "—"), *Request.Outcome.choices],
        help_text=_("Shown to the requester on the status page."),
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("status") == Case.Status.CLOSED and not data.get("outcome"):
            self.add_error("outcome", _("Choose the outcome: the requester is told it."))
        if data.get("status") != Case.Status.CLOSED and data.get("outcome"):
            self.add_error("outcome", _("An outcome is only for closing a case."))
        return data
