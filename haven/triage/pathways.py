"""The pathways a guidance pack may send a case to.

Kept in code rather than in packs so that their names are translated with the
rest of the interface and queues survive a change of guidance; a pack naming
a pathway not listed here is refused by validation.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

PATHWAYS: dict[str, str | Promise] = {
    "us_citizen_or_lpr": _("US citizen or permanent resident"),
    "siv_approved": _("SIV: Chief of Mission approved or later"),
    "siv_in_process": _("SIV: application in process"),
    "siv_apply": _("SIV: eligible to apply"),
    "p2": _("P-2 with a valid referral"),
    "p1": _("P-1 referral"),
    "p2_needs_referral": _("P-2: needs a valid referral"),
    "family_petition": _("Family petition"),
    "humanitarian_parole": _("Humanitarian parole"),
    "needs_verification": _("Claims eligibility: needs verification"),
    "needs_information": _("Not enough facts to decide"),
    "refer_unhcr": _("Protection referral to UNHCR or a partner"),
    "out_of_scope": _("Out of scope"),
}


def pathway_label(pathway: str) -> str:
    label = PATHWAYS.get(pathway)
    return str(label) if label is not None else pathway
