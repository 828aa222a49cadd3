"""What the matcher's words mean to a reviewer, in their language.

The model (trained with Splink) names each comparison by a short code and describes it
as "CustomComparison"; its levels have English chart labels. Reviewers read these labels,
never the codes. Unknown codes are shown in words, not as "CustomComparison".
"""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

FIELD_LABELS: dict[str, str | Promise] = {
    "name": _("Name"),
    "father": _("Father's name"),
    "dob": _("Date of birth"),
    "sex": _("Sex"),
    "passport": _("Passport number"),
    "tazkira": _("Tazkira number"),
    "siv": _("SIV case number"),
    "email": _("E-mail"),
    "province": _("Province"),
    "phone": _("Phone"),
}

LEVEL_LABELS: dict[str, str | Promise] = {
    "missing": _("not known on one side"),
    "different": _("different"),
    "same": _("same"),
    "similar": _("similar"),
    "same spelling key": _("same spelling, allowing for variants"),
    "same consonants": _("same consonants"),
    "one name contains the other": _("one name contains the other"),
    "one contains the other": _("one contains the other"),
    "a part in common": _("a part in common"),
    "father's name given as a surname": _("father's name given as a surname"),
    "same date": _("same date"),
    "day and month swapped": _("day and month swapped"),
    "same year, day unknown": _("same year, day unknown"),
    "year off by one": _("year off by one"),
    "same day and month, year mistyped": _("same day and month, year mistyped"),
    "same year, different day": _("same year, different day"),
    "same document number": _("same document number"),
    "one character apart": _("one character apart"),
    "same phone, same name": _("same phone, same name"),
    "same phone, different name (household)": _("same phone, different name (household)"),
}

SECOND_PERSON = "also a strong match for a second person"
REVIEW_REASONS: dict[str, str | Promise] = {
    "between the thresholds": _("Between the thresholds: a person decides"),
    SECOND_PERSON: _("Also a strong match for a second person"),
    "household guard: another member of this request links there": _(
        "Household guard: another member of this request links to that person"
    ),
    "refused by a guard (household, size or decision)": _(
        "Refused by a guard (household, size of the group, or an earlier decision)"
    ),
}


def _words(code: str) -> str:
    return code.replace("_", " ").strip().capitalize()


def field_label(field: dict[str, Any]) -> str:
    """The compared field ("Father's name"), never the model's "CustomComparison"."""
    code = str(field.get("field", ""))
    label = FIELD_LABELS.get(code)
    return str(label) if label is not None else _words(code)


def level_label(label: str) -> str:
    found = LEVEL_LABELS.get(label)
    return str(found) if found is not None else label


def review_reason_label(reason: str) -> str:
    found = REVIEW_REASONS.get(reason)
    if found is not None:
        return str(found)
    # Batch runs and intake write "intake: …" rules; shown as written, without the prefix.
    return reason
