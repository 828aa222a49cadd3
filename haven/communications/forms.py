"""Forms of communications: a template's texts, a notice's recipients, documents asked for."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from haven.cases.models import Case
from haven.intake.models import Request

from . import rendering
from .models import ChannelKind
from .notices import NoticeFilters
from .texts import DOCUMENT_LABELS, PURPOSES


class TemplateForm(forms.Form):
    subject = forms.CharField(label=_("E-mail subject"), max_length=300)
    body = forms.CharField(label=_("E-mail text"), widget=forms.Textarea(attrs={"dir": "auto"}))
    sms_body = forms.CharField(label=_("SMS text"), widget=forms.Textarea(attrs={"dir": "auto"}))

    def __init__(self, *args: Any, purpose: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.purpose = purpose
        self.fields["subject"].widget.attrs["dir"] = "auto"

    def _checked(self, name: str) -> str:
        value: str = self.cleaned_data[name]
        try:
            rendering.check(value, purpose=self.purpose)
        except rendering.TemplateTextError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return value

    def clean_subject(self) -> str:
        return self._checked("subject")

    def clean_body(self) -> str:
        return self._checked("body")

    def clean_sms_body(self) -> str:
        return self._checked("sms_body")


def _choices(values: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    return [("", _("Any")), *values]


class NoticeForm(forms.Form):
    purpose = forms.ChoiceField(
        label=_("Template"), choices=[(c, p.label) for c, p in PURPOSES.items()]
    )
    pathway = forms.CharField(label=_("Queue (pathway)"), required=False, max_length=64)
    status = forms.ChoiceField(
        label=_("Request status"), required=False, choices=_choices(Request.Status.choices)
    )
    case_status = forms.ChoiceField(
        label=_("Case status"), required=False, choices=_choices(Case.Status.choices)
    )
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=_choices(ChannelKind.choices)
    )

    saved_search = forms.TypedChoiceField(
        label=_("My saved search"),
        required=False,
        coerce=int,
        empty_value=0,  # type: ignore[arg-type]
        help_text=_("The requesters of the cases one of your saved case searches shows."),
    )

    def __init__(
        self,
        *args: Any,
        pathways: list[tuple[str, str]] | None = None,
        saved_searches: list[tuple[str, str]] | None = None,
        **kw: Any,
    ):
        super().__init__(*args, **kw)
        if pathways:
            self.fields["pathway"] = forms.ChoiceField(
                label=_("Queue (pathway)"), required=False, choices=_choices(pathways)
            )
        self.fields["saved_search"].choices = [  # type: ignore[attr-defined]
            ("", _("None")),
            *(saved_searches or []),
        ]

    def filters(self) -> NoticeFilters:
        data = self.cleaned_data
        return NoticeFilters(
            pathway=data.get("pathway") or "",
            status=data.get("status") or "",
            case_status=data.get("case_status") or "",
            channel=data.get("channel") or "",
            saved_search=data.get("saved_search") or 0,
        )


class DocumentsForm(forms.Form):
    documents = forms.MultipleChoiceField(
        label=_("Documents to ask for"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(code, labels["en"]) for code, labels in DOCUMENT_LABELS.items()],
    )
    other = forms.CharField(
        label=_("Anything else (in the requester's language)"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"dir": "auto"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("documents") and not (data.get("other") or "").strip():
            raise forms.ValidationError(_("Choose at least one document, or write one."))
        return data
