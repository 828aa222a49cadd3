"""The eligibility questions on the public and walk-in forms, and the facts their answers give.

Which questions are asked is the active guidance's to say: triage registers, in its
AppConfig.ready(), a function naming the facts its rules read (register_needed_facts);
intake never imports triage. Without one, every question is asked.

Skip logic works without JavaScript: the questions about work for a US-linked body are in
their own block under "Did you work for …?", hidden by the stylesheet (CSS :has) until
"yes" is chosen, shown with an "If yes" heading where the browser cannot hide them, and
ignored by the server unless the answer was "yes". "I don't know" is always a choice, and
gives no fact: unknown is not "no" (the decision then asks for it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from haven.common.forms import DirAutoForm

NeededFacts = Callable[[], frozenset[str] | None]
_needed_facts: list[NeededFacts] = []


def register_needed_facts(provider: NeededFacts) -> None:
    """Called by triage in AppConfig.ready(): the facts the active guidance reads."""
    if provider not in _needed_facts:
        _needed_facts.append(provider)


def needed_facts() -> frozenset[str] | None:
    """The facts to ask about, or None for all (no guidance active, or none registered)."""
    for provider in _needed_facts:
        found = provider()
        if found is not None:
            return found
    return None


UNKNOWN = ""
DONT_KNOW = (UNKNOWN, _("I don't know"))
YES_NO = [("yes", _("Yes")), ("no", _("No")), DONT_KNOW]
US_STATUS = [
    ("citizen", _("A US citizen")),
    ("lpr", _("A US lawful permanent resident (green card)")),
    ("neither", _("Neither")),
    DONT_KNOW,
]
EMPLOYERS = [
    DONT_KNOW,
    ("us_government", _("The US government (embassy, military, USAID …)")),
    ("us_government_contractor", _("A US government contractor")),
    ("us_government_subcontractor", _("A US government subcontractor")),
    ("isaf_or_resolute_support", _("ISAF or Resolute Support (NATO)")),
    ("us_funded_program", _("A US-funded programme (grant or cooperative agreement)")),
    ("us_based_media", _("A US-based media organisation")),
    ("us_based_ngo", _("A US-based NGO")),
    ("other", _("Other")),
]
SIV_STAGES = [
    DONT_KNOW,
    ("none", _("I have not applied")),
    ("com_application_submitted", _("Chief of Mission application submitted")),
    ("com_approved", _("Chief of Mission approval")),
    ("com_denied", _("Chief of Mission denial")),
    ("i360_approved", _("I-360 petition approved")),
    ("interview_scheduled", _("Interview scheduled")),
    ("visa_issued", _("Visa issued")),
]
REFERRALS = [
    DONT_KNOW,
    ("none", _("No one has referred us")),
    ("unhcr", _("UNHCR")),
    ("us_embassy", _("A US embassy")),
    ("designated_ngo", _("A designated NGO")),
    ("us_government_agency", _("A US government agency")),
    (
        "us_media_or_ngo_senior_us_citizen",
        _("The most senior US-citizen employee of a US-based media organisation or NGO"),
    ),
]
US_RELATIVES = [
    ("us_citizen", _("Yes, a US citizen")),
    ("us_lpr", _("Yes, a US lawful permanent resident")),
    ("none", _("No")),
    DONT_KNOW,
]
VULNERABILITIES = [
    ("urgent_medical", _("Urgent medical need")),
    ("imminent_threat", _("Imminent threat")),
    ("unaccompanied_child", _("Unaccompanied child")),
    ("woman_at_risk", _("Woman at risk")),
    ("disability", _("Disability")),
    ("elderly", _("Elderly")),
]
# Form field -> the facts it answers: a question is asked when the guidance reads one of them.
FIELD_FACTS: dict[str, tuple[str, ...]] = {
    "us_status": ("is_us_citizen", "is_us_lpr"),
    "worked_for_us": ("employer_type",),
    "employer_type": ("employer_type",),
    "employment_months": ("employment_months",),
    "has_recommendation_letter": ("has_recommendation_letter",),
    "siv_stage": ("siv_stage",),
    "referral_source": ("referral_source",),
    "us_relative": ("us_relative",),
    "vulnerabilities": ("vulnerabilities",),
}
# Asked only when the answer to "worked_for_us" is yes.
IF_WORKED = ("employer_type", "employment_months", "has_recommendation_letter", "siv_stage")


def _radio(label: Any, choices: list[tuple[str, Any]]) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label, choices=choices, required=False, widget=forms.RadioSelect, initial=UNKNOWN
    )


class EligibilityForm(DirAutoForm):
    """The questions, all optional; `needed` (facts) leaves out those the guidance never reads."""

    us_status = _radio(_("Is the main applicant a US citizen or permanent resident?"), US_STATUS)
    worked_for_us = _radio(
        _(
            "Did the main applicant work for the US government, a US contractor, NATO, "
            "a US-funded programme, or US media or an NGO?"
        ),
        YES_NO,
    )
    employer_type = forms.ChoiceField(label=_("For whom?"), choices=EMPLOYERS, required=False)
    employment_months = forms.IntegerField(
        label=_("For how many months in all?"), min_value=0, max_value=600, required=False
    )
    has_recommendation_letter = _radio(
        _("Is there a recommendation letter from a US supervisor?"), YES_NO
    )
    siv_stage = forms.ChoiceField(
        label=_("Special Immigrant Visa (SIV): how far has the application gone?"),
        choices=SIV_STAGES,
        required=False,
    )
    referral_source = forms.ChoiceField(
        label=_("Has an organisation referred the family for resettlement?"),
        choices=REFERRALS,
        required=False,
    )
    us_relative = _radio(
        _("Does the main applicant have a parent, spouse or child in the United States?"),
        US_RELATIVES,
    )
    vulnerabilities = forms.MultipleChoiceField(
        label=_("Does any of these apply to someone in the family?"),
        choices=VULNERABILITIES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, needed: frozenset[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if needed is not None:
            asked = {name for name, facts in FIELD_FACTS.items() if needed.intersection(facts)}
            if asked.intersection(IF_WORKED):
                asked.add("worked_for_us")  # the way to the questions about that work
            for name in set(FIELD_FACTS) - asked:
                del self.fields[name]
        number = self.fields.get("employment_months")
        if number is not None:
            number.widget.attrs.update({"inputmode": "numeric", "dir": "ltr"})

    def worked_questions(self) -> list[forms.BoundField]:
        return [self[name] for name in IF_WORKED if name in self.fields]

    def first_questions(self) -> list[forms.BoundField]:
        first = [n for n in ("us_status", "worked_for_us") if n in self.fields]
        return [self[n] for n in first]

    def later_questions(self) -> list[forms.BoundField]:
        names = ("referral_source", "us_relative", "vulnerabilities")
        return [self[n] for n in names if n in self.fields]

    def facts(self) -> dict[str, Any]:
        """The answers as facts; a skipped or "don't know" answer gives none."""
        return eligibility_facts(getattr(self, "cleaned_data", {}))


def eligibility_facts(data: dict[str, Any]) -> dict[str, Any]:
    facts: dict[str, Any] = {}
    status = data.get("us_status")
    if status:
        facts["is_us_citizen"] = status == "citizen"
        facts["is_us_lpr"] = status == "lpr"
    worked = data.get("worked_for_us")
    if worked == "no":
        facts["employer_type"] = "none"
    elif worked == "yes":
        _worked_facts(data, facts)
    for name in ("referral_source", "us_relative"):
        if data.get(name):
            facts[name] = data[name]
    if data.get("vulnerabilities"):
        facts["vulnerabilities"] = sorted(data["vulnerabilities"])
    return facts


def _worked_facts(data: dict[str, Any], facts: dict[str, Any]) -> None:
    if data.get("employer_type"):
        facts["employer_type"] = data["employer_type"]
    if data.get("employment_months") is not None:
        facts["employment_months"] = data["employment_months"]
    letter = data.get("has_recommendation_letter")
    if letter:
        facts["has_recommendation_letter"] = letter == "yes"
    if data.get("siv_stage"):
        facts["siv_stage"] = data["siv_stage"]
