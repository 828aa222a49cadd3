"""Forms of the tasks panel and the alerts page. What a task may be (a title, a due date not
in the past, an assignee with access to the case) is checked by services_tasks, whose refusal
the view puts on the field it names, so the form keeps everything typed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from haven.accounts.models import User
from haven.common.forms import DirAutoForm


class TaskForm(DirAutoForm):
    title = forms.CharField(label=_("Task"), max_length=2000, required=False)
    # Any user id is taken here: someone without access to the case is refused by the
    # service with a message saying so (a list kept open while their access changed).
    assignee = forms.ChoiceField(label=_("Assigned to"), required=False)
    due_date = forms.DateField(
        label=_("Due"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    evidence_code = forms.ChoiceField(label=_("Evidence it is about"), required=False)

    def __init__(
        self,
        *args: Any,
        workers: list[tuple[str, str]] = (),  # type: ignore[assignment]
        evidence: list[tuple[str, str]] = (),  # type: ignore[assignment]
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        assignee: Any = self.fields["assignee"]
        assignee.choices = [("", _("The case's assignee")), *workers]
        evidence_field: Any = self.fields["evidence_code"]
        evidence_field.choices = [("", "—"), *evidence]
        self.known_evidence = {code for code, _label in evidence}

    def clean_assignee(self) -> User | None:
        value = self.data.get(self.add_prefix("assignee"), "") or ""
        if not value:
            return None
        user = User.objects.filter(pk=int(value)).first() if str(value).isdigit() else None
        if user is None:
            raise forms.ValidationError(_("That person is not known: choose from the list."))
        return user

    def full_clean(self) -> None:
        # The assignee is any user (checked by the service), not only one of the choices.
        assignee: Any = self.fields["assignee"]
        value = self.data.get(self.add_prefix("assignee"), "") if self.is_bound else ""
        if value and value not in {c for c, _label in assignee.choices}:
            assignee.choices = [*assignee.choices, (value, value)]
        super().full_clean()


class AlertPreferenceForm(forms.Form):
    email_digest = forms.BooleanField(
        label=_("E-mail me a daily digest of new alerts"),
        required=False,
        help_text=_("One e-mail a day at most, with case references only."),
    )
