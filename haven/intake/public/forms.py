"""The public form: the walk-in form's pieces, worded for the person asking, plus consent.

The fields, their validation and how they become a RequestInput are shared with the
staff walk-in form (haven.intake.forms); only what differs for the public is here.
"""

from __future__ import annotations

import dataclasses
from typing import Any, cast

from django import forms
from django.core.validators import EmailValidator
from django.forms import BaseFormSet, formset_factory
from django.utils.translation import gettext_lazy as _

from ..forms import MemberForm, PersonForm, PrincipalForm, RequestDetailsForm, build_request_input
from ..models import Channel, IdentifierKind, Requester
from ..services import RequestInput
from .consent import CONSENT_LABEL, CONSENT_VERSION

# The public can only speak for themselves or for a relative; offices and
# organisations come through the spreadsheet import or the partner API.
PUBLIC_REQUESTER_KINDS = [
    (Requester.Kind.APPLICANT.value, _("I am asking for myself and my family")),
    (Requester.Kind.SPONSOR.value, _("I am asking for someone else (sponsor or relative)")),
]


# The same member block as the walk-in form.
PublicMemberForm = MemberForm


# One blank member block at first; "Add a family member" adds more without JavaScript.
# absolute_max = max_num: a forged TOTAL_FORMS of thousands must not make us build thousands of forms.
PublicMemberFormSet = formset_factory(
    PublicMemberForm, extra=1, max_num=20, absolute_max=20, validate_max=True
)
_CONTACT_KINDS = {IdentifierKind.PHONE, IdentifierKind.EMAIL}


class PublicDetailsForm(RequestDetailsForm):
    consent = forms.BooleanField(
        label=CONSENT_LABEL,
        error_messages={
            "required": _(
                "Please read the consent statement and tick the box to send your request."
            )
        },
    )

    # Staff labels speak about the requester; the public form speaks to them.
    _PUBLIC_LABELS = {
        "phone": _("Your phone number (with country code)"),
        "email": _("Your e-mail address"),
        "current_country": _("Country where you are now"),
        "current_location": _("Town or place where you are now"),
        "province": _("Province of origin in Afghanistan"),
        "help_requested": _("What help are you asking for?"),
        "requester_kind": _("Who is asking?"),
        "requester_name": _("Your name, if you are asking for someone else"),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, label in self._PUBLIC_LABELS.items():
            self.fields[name].label = label
        kind = cast(forms.ChoiceField, self.fields["requester_kind"])
        kind.choices = PUBLIC_REQUESTER_KINDS
        kind.widget = forms.RadioSelect(choices=PUBLIC_REQUESTER_KINDS)
        # A phone keypad on a phone; written left to right inside a right-to-left page.
        self.fields["phone"].widget.input_type = "tel"
        for name in ("phone", "email"):
            self.fields[name].widget.attrs.update({"dir": "ltr", "autocomplete": "off"})
        # Django has no Pashto catalogue: the one message a typo can trigger is ours.
        self.fields["email"].validators = [
            EmailValidator(
                message=_("This e-mail address was not understood. Check it, or leave it empty.")
            )
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("requester_kind") == Requester.Kind.SPONSOR
            and not str(data.get("requester_name", "")).strip()
        ):
            self.add_error(
                "requester_name", _("Please give your own name when you ask for someone else.")
            )
        return data


def build_public_request_input(
    *,
    details: PublicDetailsForm,
    principal: PrincipalForm,
    members: list[PersonForm],
    language: str,
    facts: dict[str, Any] | None = None,
) -> RequestInput:
    """The walk-in mapping, plus consent; a sponsor's phone and e-mail stay the sponsor's.

    Identity resolution compares the principal's identifiers, so a sponsor's contact
    details must not be attached to the person they are asking for.
    """
    data = build_request_input(
        details=details,
        principal=principal,
        members=members,
        channel=Channel.WEB_FORM,
        language=language,
        facts=facts,
    )
    data = dataclasses.replace(data, consent_version=CONSENT_VERSION)
    if details.cleaned_data["requester_kind"] != Requester.Kind.SPONSOR:
        return data
    principal_input, *others = data.people
    cleaned = details.cleaned_data
    contact = " / ".join(cleaned[field] for field in ("phone", "email") if cleaned[field])
    principal_input = dataclasses.replace(
        principal_input,
        identifiers=tuple(i for i in principal_input.identifiers if i[0] not in _CONTACT_KINDS),
    )
    return dataclasses.replace(
        data,
        people=(principal_input, *others),
        requester=dataclasses.replace(data.requester, contact=contact),
    )


def unbound_copy(form: forms.Form) -> forms.Form:
    """The same form showing what was typed, without validating it.

    Used when "Add a family member" re-displays the form: nothing has been sent yet,
    so no error should be shown.
    """
    initial = {name: form[name].value() for name in form.fields}
    copy = type(form)(prefix=form.prefix, initial=initial)
    for name in set(copy.fields) - set(form.fields):
        del copy.fields[name]  # questions the form left out (eligibility asks what is needed)
    return copy


def members_with_one_more(members: BaseFormSet[Any]) -> BaseFormSet[Any]:
    """The member blocks as typed, plus one blank block."""
    initial = [{name: f[name].value() for name in f.fields} for f in members.forms]
    return PublicMemberFormSet(
        prefix=members.prefix, initial=initial[: PublicMemberFormSet.max_num]
    )


# Phones capitalise and "correct" what is typed; the secret is case-sensitive.
_CODE_ATTRS = {
    "autocapitalize": "none",
    "autocorrect": "off",
    "autocomplete": "off",
    "spellcheck": "false",
    "dir": "ltr",
}


class StatusLookupForm(forms.Form):
    receipt_number = forms.CharField(
        label=_("Receipt number"),
        max_length=40,
        error_messages={"required": _("Enter the receipt number.")},
        help_text=_("For example HV-7K2QD-M9XAB"),
        widget=forms.TextInput(attrs=_CODE_ATTRS),
    )
    secret = forms.CharField(
        label=_("Secret code"),
        max_length=100,
        error_messages={"required": _("Enter the secret code.")},
        widget=forms.TextInput(attrs=_CODE_ATTRS),
    )
