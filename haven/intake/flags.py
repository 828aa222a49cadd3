"""What a person record's parsing flags mean, for staff in their language (never the code)."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import IdentifierKind

RECORD_FLAG_LABELS: dict[str, str | Promise] = {
    "dob_solar_hijri": gettext_lazy("Date of birth given in the Solar Hijri calendar"),
    "dob_january_first": gettext_lazy("Born on 1 January: often a stand-in date"),
    "dob_unparsed": gettext_lazy("Date of birth not understood"),
    "dob_placeholder": gettext_lazy("Date of birth looks like a placeholder"),
    "dob_month_year": gettext_lazy("Only the month and year of birth"),
    "name_missing": gettext_lazy("No name given"),
}


def record_flag_label(code: str) -> str:
    """The flag as staff read it; `<kind>_invalid` names the identifier's kind."""
    label = RECORD_FLAG_LABELS.get(code)
    if label is not None:
        return str(label)
    if code.endswith("_invalid"):
        kind = code.removesuffix("_invalid")
        kinds = dict(IdentifierKind.choices)
        if kind in kinds:
            return _("%(kind)s does not look valid") % {"kind": kinds[kind]}
    # An unknown flag is shown in words rather than as a code.
    return code.replace("_", " ")
