"""What parsing flags mean (a person record's, an e-mail's), for staff in their language,
never the code."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import IdentifierKind, Request

RECORD_FLAG_LABELS: dict[str, str | Promise] = {
    "dob_solar_hijri": gettext_lazy("Date of birth given in the Solar Hijri calendar"),
    "dob_january_first": gettext_lazy("Born on 1 January: often a stand-in date"),
    "dob_unparsed": gettext_lazy("Date of birth not understood"),
    "dob_placeholder": gettext_lazy("Date of birth looks like a placeholder"),
    "dob_month_year": gettext_lazy("Only the month and year of birth"),
    "name_missing": gettext_lazy("No name given"),
}


def request_mail_flags(request: Request) -> list[str]:
    """What reading a request's e-mail found uncertain, in words: the message's flags, and for
    one family of an office's list, that family's. Reads `mail_message` and
    `mail_part__message`, which callers listing requests select_related."""
    from .importing.mail import mail_flag_label

    part = _related(request, "mail_part")
    message = part.message if part is not None else _related(request, "mail_message")
    codes = [*(message.flags if message else []), *(part.flags if part else [])]
    return [mail_flag_label(code) for code in dict.fromkeys(codes)]


def _related(request: Request, name: str) -> Any:
    try:
        return getattr(request, name)
    except ObjectDoesNotExist:
        return None


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
