"""What a report is about: the period and the slice of the desk (pathway, team, worker,
province), validated once at the edge for the dashboard, the sitrep, HXL and case exports."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from haven.accounts.models import Organization, Role, User

DEFAULT_PERIOD_DAYS = 30


def max_period_days() -> int:
    """Longest period a report may cover (default two years): a ten-year sitrep is a typo."""
    return int(getattr(settings, "HAVEN_REPORTS_MAX_PERIOD_DAYS", 731))


@dataclass(frozen=True)
class ReportFilters:
    date_from: dt.date
    date_to: dt.date
    pathway: str = ""
    team: int | None = None
    assignee: int | None = None
    province: str = ""

    @property
    def days(self) -> int:
        return (self.date_to - self.date_from).days + 1

    def previous(self) -> ReportFilters:
        """The period of the same length just before this one (for "change since")."""
        length = dt.timedelta(days=self.days)
        return replace(self, date_from=self.date_from - length, date_to=self.date_to - length)

    def as_query(self) -> dict[str, str]:
        query = {"date_from": self.date_from.isoformat(), "date_to": self.date_to.isoformat()}
        for name in ("pathway", "team", "assignee", "province"):
            value = getattr(self, name)
            if value not in ("", None):
                query[name] = str(value)
        return query


def default_filters(*, today: dt.date | None = None) -> ReportFilters:
    today = today or timezone.localdate()
    return ReportFilters(
        date_from=today - dt.timedelta(days=DEFAULT_PERIOD_DAYS - 1), date_to=today
    )


def period_error(date_from: dt.date | None, date_to: dt.date | None) -> str | None:
    """The one message for a period that makes no sense (shared by forms and commands)."""
    if date_from and date_to and date_from > date_to:
        return str(
            _("The period ends before it starts: the end date must be on or after the start.")
        )
    if date_from and date_to and (date_to - date_from).days + 1 > max_period_days():
        return str(
            _("A report covers at most %(days)s days; choose a shorter period.")
            % {"days": max_period_days()}
        )
    if date_from and date_from > timezone.localdate():
        return str(_("The period starts in the future; nothing can have happened yet."))
    return None


def _assignee_choices() -> list[tuple[str, str]]:
    workers = User.objects.filter(
        role__in=[Role.CASEWORKER, Role.SUPERVISOR], is_active=True
    ).order_by("username")
    return [("", str(_("Any"))), *((str(u.pk), u.get_username()) for u in workers)]


def _team_choices() -> list[tuple[str, str]]:
    teams = Organization.objects.filter(kind=Organization.Kind.TASK_FORCE).order_by("name")
    return [("", str(_("Any"))), *((str(o.pk), o.name) for o in teams)]


class ReportFilterForm(forms.Form):
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    pathway = forms.ChoiceField(label=_("Pathway"), required=False)
    team = forms.TypedChoiceField(label=_("Team"), required=False, coerce=int, empty_value=None)
    assignee = forms.TypedChoiceField(
        label=_("Assigned to"), required=False, coerce=int, empty_value=None
    )
    province = forms.CharField(label=_("Province"), required=False, max_length=100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from haven.triage.pathways import PATHWAYS

        super().__init__(*args, **kwargs)
        self.fields["pathway"].choices = [  # type: ignore[attr-defined]
            ("", _("Any")),
            *((key, label) for key, label in PATHWAYS.items()),
        ]
        self.fields["team"].choices = _team_choices()  # type: ignore[attr-defined]
        self.fields["assignee"].choices = _assignee_choices()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        date_to = data.get("date_to") or timezone.localdate()
        date_from = data.get("date_from") or date_to - dt.timedelta(days=DEFAULT_PERIOD_DAYS - 1)
        error = period_error(date_from, date_to)
        if error:
            raise forms.ValidationError(error, code="period")
        return data

    def filters(self) -> ReportFilters:
        """The filters asked for; a blank end is today, a blank start 30 days before the end."""
        base = default_filters()
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        date_to = data.get("date_to") or base.date_to
        date_from = data.get("date_from") or date_to - dt.timedelta(days=DEFAULT_PERIOD_DAYS - 1)
        return ReportFilters(
            date_from=date_from,
            date_to=date_to,
            pathway=data.get("pathway", ""),
            team=data.get("team"),
            assignee=data.get("assignee"),
            province=(data.get("province") or "").strip(),
        )
