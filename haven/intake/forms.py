"""The staff walk-in form: a request, its principal, and family members."""

from __future__ import annotations

import dataclasses
from typing import Any, cast

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from haven.common.forms import DirAutoForm

from . import normalize
from .models import IdentifierKind, Relationship, Requester, Sex
from .services import PersonInput, RequesterInput, RequestInput

COUNTRY_CHOICES = [
    ("", _("— choose —")),
    ("AF", _("Afghanistan")),
    ("PK", _("Pakistan")),
    ("IR", _("Iran")),
    ("TJ", _("Tajikistan")),
    ("UZ", _("Uzbekistan")),
    ("QA", _("Qatar")),
    ("AE", _("United Arab Emirates")),
    ("DE", _("Germany")),
    ("US", _("United States")),
]
DOB_HELP = _("As written: 1988, 12/04/1988, or Solar Hijri 1367/01/23.")
# Identifier fields on the person form, by the kind they are stored as.
PERSON_IDENTIFIER_FIELDS = {
    "passport": IdentifierKind.PASSPORT,
    "e_tazkira": IdentifierKind.E_TAZKIRA,
    "paper_tazkira": IdentifierKind.PAPER_TAZKIRA,
    "siv_case": IdentifierKind.SIV_CASE,
    "unhcr": IdentifierKind.UNHCR,
}


class PersonForm(DirAutoForm):
    relationship = forms.ChoiceField(
        label=_("Relationship to principal"), choices=Relationship.choices, required=False
    )
    given_name = forms.CharField(label=_("Given name"), max_length=150, required=False)
    family_name = forms.CharField(label=_("Family or tribal name"), max_length=150, required=False)
    father_name = forms.CharField(label=_("Father's name"), max_length=150, required=False)
    full_name = forms.CharField(
        label=_("Full name as written (any script)"), max_length=300, required=False
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, required=False)
    date_of_birth = forms.CharField(
        label=_("Date of birth"), max_length=50, required=False, help_text=DOB_HELP
    )
    passport = forms.CharField(label=_("Passport number"), max_length=40, required=False)
    e_tazkira = forms.CharField(label=_("e-Tazkira number"), max_length=40, required=False)
    paper_tazkira = forms.CharField(
        label=_("Paper Tazkira (volume/page/number)"), max_length=60, required=False
    )
    siv_case = forms.CharField(label=_("SIV case number"), max_length=40, required=False)
    unhcr = forms.CharField(label=_("UNHCR number"), max_length=40, required=False)

    NAME_FIELDS = ("given_name", "family_name", "father_name", "full_name")

    def has_content(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return any(str(v).strip() for k, v in data.items() if k != "relationship")

    def clean_date_of_birth(self) -> str:
        value: str = self.cleaned_data["date_of_birth"].strip()
        if value and normalize.parse_date_of_birth(value).value is None:
            raise forms.ValidationError(
                _("This date was not understood. Write the year (1988) or day/month/year.")
            )
        return value

    # A blank member block is ignored; the principal block is always required.
    always_required = False
    missing_name_message = _("Give at least one name for this person.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        needs_name = self.always_required or self.has_content()
        if needs_name and not any(str(data.get(f, "")).strip() for f in self.NAME_FIELDS):
            raise forms.ValidationError(self.missing_name_message)
        return data

    def to_input(self, *, default_relationship: str) -> PersonInput:
        data = self.cleaned_data
        return PersonInput(
            relationship=data.get("relationship") or default_relationship,
            full_name=data["full_name"],
            given_name=data["given_name"],
            family_name=data["family_name"],
            father_name=data["father_name"],
            sex=data["sex"],
            date_of_birth=data["date_of_birth"],
            identifiers=tuple(
                (kind, data[field])
                for field, kind in PERSON_IDENTIFIER_FIELDS.items()
                if data[field]
            ),
        )


class PrincipalForm(PersonForm):
    always_required = True
    missing_name_message = _("Give at least one name for the principal applicant.")


class MemberForm(PersonForm):
    """A family member: any relationship but "principal", and none chosen in advance."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        relationship = cast(forms.ChoiceField, self.fields["relationship"])
        relationship.choices = [
            ("", _("— choose —")),
            *(c for c in Relationship.choices if c[0] != Relationship.PRINCIPAL),
        ]


# absolute_max = max_num: a forged TOTAL_FORMS of thousands must not make us build thousands of forms.
MemberFormSet = formset_factory(MemberForm, extra=2, max_num=20, absolute_max=20, validate_max=True)


class RequestDetailsForm(DirAutoForm):
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    current_country = forms.ChoiceField(
        label=_("Country where they are now"), choices=COUNTRY_CHOICES, required=False
    )
    current_location = forms.CharField(label=_("Town or place now"), max_length=200, required=False)
    province = forms.CharField(label=_("Province of origin"), max_length=100, required=False)
    help_requested = forms.CharField(
        label=_("What help is asked"), widget=forms.Textarea, required=False, max_length=5000
    )
    requester_kind = forms.ChoiceField(
        label=_("Who is asking"), choices=Requester.Kind.choices, initial=Requester.Kind.APPLICANT
    )
    requester_name = forms.CharField(
        label=_("Requester's name, if not the applicant"), max_length=200, required=False
    )

    def clean_phone(self) -> str:
        value: str = self.cleaned_data["phone"].strip()
        if value and not normalize.normalize_identifier(IdentifierKind.PHONE, value).is_valid:
            raise forms.ValidationError(
                _(
                    "This phone number was not understood. Include the country code, e.g. +93 70 123 4567."
                )
            )
        return value


def build_request_input(
    *,
    details: RequestDetailsForm,
    principal: PrincipalForm,
    members: list[PersonForm],
    channel: str,
    language: str,
    facts: dict[str, Any] | None = None,
) -> RequestInput:
    data = details.cleaned_data
    principal_input = principal.to_input(default_relationship=Relationship.PRINCIPAL)
    contact = tuple(
        (kind, data[field])
        for field, kind in (("phone", IdentifierKind.PHONE), ("email", IdentifierKind.EMAIL))
        if data[field]
    )
    principal_input = dataclasses.replace(
        principal_input,
        relationship=Relationship.PRINCIPAL,
        province=data["province"],
        identifiers=principal_input.identifiers + contact,
    )
    people = [principal_input] + [
        m.to_input(default_relationship=Relationship.OTHER) for m in members if m.has_content()
    ]
    return RequestInput(
        channel=channel,
        people=tuple(people),
        requester=RequesterInput(kind=data["requester_kind"], name=data["requester_name"]),
        help_requested=data["help_requested"],
        current_country=data["current_country"],
        current_location=data["current_location"],
        language=language,
        facts=facts or {},
    )
