"""Fact values in words, as staff read them: never the code.

Shared by triage (the case page, decisions) and intake (what a spreadsheet's eligibility
answer means, importing/facts_columns.py). It is here, not in triage, because intake may not
import triage.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

CHOICE_LABELS: dict[str, str | Promise] = {
    "us_government": _("The US government"),
    "us_government_contractor": _("A US government contractor"),
    "us_government_subcontractor": _("A US government subcontractor"),
    "isaf_or_resolute_support": _("ISAF or Resolute Support"),
    "us_funded_program": _("A US-funded programme (grant or cooperative agreement)"),
    "us_based_media": _("A US-based media organisation"),
    "us_based_ngo": _("A US-based NGO"),
    "other": _("Other"),
    "none": _("None"),
    "com_application_submitted": _("Chief of Mission application submitted"),
    "com_approved": _("Chief of Mission approval"),
    "com_denied": _("Chief of Mission denial"),
    "i360_approved": _("I-360 petition approved"),
    "interview_scheduled": _("Interview scheduled"),
    "visa_issued": _("Visa issued"),
    "self": _("Self-referral"),
    "unhcr": _("UNHCR"),
    "us_embassy": _("A US embassy"),
    "designated_ngo": _("A designated NGO"),
    "us_government_agency": _("A US government agency"),
    "us_media_or_ngo_senior_us_citizen": _(
        "The most senior US-citizen employee of a US-based media organisation or NGO"
    ),
    "us_citizen": _("A US citizen"),
    "us_lpr": _("A US lawful permanent resident"),
    "urgent_medical": _("Urgent medical need"),
    "imminent_threat": _("Imminent threat"),
    "unaccompanied_child": _("Unaccompanied child"),
    "woman_at_risk": _("Woman at risk"),
    "disability": _("Disability"),
    "elderly": _("Elderly"),
}
