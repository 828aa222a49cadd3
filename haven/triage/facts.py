"""The case facts every guidance pack is written against, and checking them.

A fact that is absent (or null) is *unknown*. Unknown is not "no": a rule that
needs an unknown fact does not match, and the decision asks for that fact.
The schema is documented in docs/triage.md; keep both in step.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from haven.intake.fact_labels import CHOICE_LABELS

BOOL = "bool"
INT = "int"
STRING = "string"
COUNTRY = "country"
LIST = "list"

EMPLOYER_TYPES = (
    "us_government",
    "us_government_contractor",
    "us_government_subcontractor",
    "isaf_or_resolute_support",
    "us_funded_program",
    "us_based_media",
    "us_based_ngo",
    "other",
    "none",
)
SIV_STAGES = (
    "none",
    "com_application_submitted",
    "com_approved",
    "com_denied",
    "i360_approved",
    "interview_scheduled",
    "visa_issued",
)
REFERRAL_SOURCES = (
    "none",
    "self",
    "unhcr",
    "us_embassy",
    "designated_ngo",
    "us_government_agency",
    "us_media_or_ngo_senior_us_citizen",
)
US_RELATIVES = ("none", "us_citizen", "us_lpr")
VULNERABILITIES = (
    "urgent_medical",
    "imminent_threat",
    "unaccompanied_child",
    "woman_at_risk",
    "disability",
    "elderly",
)

_COUNTRY_RE = re.compile(r"^[A-Z]{2}$")

# What each allowed value means, as staff read it in their language: never the code. The
# table lives in intake (haven/intake/fact_labels.py), which triage may import and which needs
# it for spreadsheet answers, while intake may not import triage.


def choice_label(code: str) -> str:
    """An allowed value of a fact as staff read it ("A US-funded programme"), in the
    active language; a value outside the schema in words, never as a code."""
    label = CHOICE_LABELS.get(code)
    return str(label) if label is not None else code.replace("_", " ")


@dataclass(frozen=True)
class FactSpec:
    name: str
    kind: str
    label: str | Promise
    # Allowed values for strings and list items; None means any.
    choices: tuple[str, ...] | None = None
    # Derived facts are computed by Haven (days_waiting); a facts file may still give them.
    derived: bool = False

    @property
    def cel_type(self) -> str:
        """The CEL type the static checker gives this fact."""
        if self.kind == LIST:
            return "list<string>"
        return "string" if self.kind == COUNTRY else self.kind


FACTS: dict[str, FactSpec] = {
    spec.name: spec
    for spec in (
        FactSpec("nationality", COUNTRY, _("Nationality")),
        FactSpec("current_country", COUNTRY, _("Country the person is in now")),
        FactSpec("is_us_citizen", BOOL, _("US citizen")),
        FactSpec("is_us_lpr", BOOL, _("US lawful permanent resident")),
        FactSpec("employer_type", STRING, _("Employer type"), EMPLOYER_TYPES),
        FactSpec("employment_months", INT, _("Months of qualifying employment")),
        FactSpec("has_recommendation_letter", BOOL, _("Has a supervisor's recommendation letter")),
        FactSpec("siv_stage", STRING, _("SIV stage"), SIV_STAGES),
        FactSpec("referral_source", STRING, _("Referral source"), REFERRAL_SOURCES),
        FactSpec("us_relative", STRING, _("US citizen or resident relative"), US_RELATIVES),
        FactSpec("claims_eligibility", BOOL, _("Claims eligibility")),
        FactSpec("vulnerabilities", LIST, _("Vulnerabilities"), VULNERABILITIES),
        FactSpec("dependants", INT, _("Dependants")),
        FactSpec("days_waiting", INT, _("Days waiting"), derived=True),
    )
}


class FactsError(ValueError):
    """Facts that do not fit the schema. `fact` names the offending fact."""

    def __init__(self, fact: str, message: str) -> None:
        super().__init__(f"{fact}: {message}" if fact else message)
        self.fact = fact
        self.message = message


def _clean_value(spec: FactSpec, value: Any) -> Any:
    if spec.kind == BOOL:
        if not isinstance(value, bool):
            raise FactsError(spec.name, f"must be true or false, not {value!r}")
        return value
    if spec.kind == INT:
        # bool is an int in Python; true is not a number of months.
        if isinstance(value, bool) or not isinstance(value, int):
            raise FactsError(spec.name, f"must be a whole number, not {value!r}")
        if value < 0:
            raise FactsError(spec.name, f"must not be negative, not {value}")
        return value
    if spec.kind == COUNTRY:
        if not isinstance(value, str) or not _COUNTRY_RE.match(value.upper()):
            raise FactsError(
                spec.name, f"must be an ISO 3166 alpha-2 code such as AF, not {value!r}"
            )
        return value.upper()
    if spec.kind == STRING:
        if not isinstance(value, str):
            raise FactsError(spec.name, f"must be a string, not {value!r}")
        if spec.choices is not None and value not in spec.choices:
            raise FactsError(spec.name, f"{value!r} is not one of {', '.join(spec.choices)}")
        return value
    return _clean_list(spec, value)


def _clean_list(spec: FactSpec, value: Any) -> list[str]:
    if not isinstance(value, list):
        raise FactsError(spec.name, f"must be a list, not {value!r}")
    for item in value:
        if not isinstance(item, str) or (spec.choices is not None and item not in spec.choices):
            allowed = ", ".join(spec.choices or ())
            raise FactsError(spec.name, f"{item!r} is not one of {allowed}")
    # Sorted and de-duplicated, so equal facts compare and hash equal.
    return sorted(set(value))


def clean_facts(raw: Any) -> dict[str, Any]:
    """Check facts against the schema; return them with unknowns (null) left out.

    Raises FactsError naming the first fact that is wrong.
    """
    if not isinstance(raw, Mapping):
        raise FactsError("", "facts must be a JSON object of fact names to values")
    cleaned: dict[str, Any] = {}
    for name, value in raw.items():
        spec = FACTS.get(name)
        if spec is None:
            raise FactsError(str(name), "unknown fact (see docs/triage.md for the schema)")
        if value is None:
            continue
        cleaned[name] = _clean_value(spec, value)
    return cleaned


def clean_facts_leniently(raw: Any) -> tuple[dict[str, Any], list[str]]:
    """Keep every fact that fits the schema and name the ones that do not.

    For intake, where a bad answer must never lose the request.
    """
    if not isinstance(raw, Mapping):
        return {}, []
    cleaned: dict[str, Any] = {}
    rejected: list[str] = []
    for name, value in raw.items():
        try:
            cleaned.update(clean_facts({name: value}))
        except FactsError:
            rejected.append(str(name))
    return cleaned, rejected


def facts_problems(raw: Any) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Check the facts a requester sent (the partner API's `facts` object): the facts that
    fit the schema, and (fact, message) for every one that does not. Derived facts are
    Haven's to work out, so a requester cannot send them.

    Intake calls this through its `facts_checker` slot (filled in TriageConfig.ready()), so that it
    never imports triage.
    """
    if not isinstance(raw, Mapping):
        return {}, [("", "facts must be a JSON object of fact names to values")]
    cleaned: dict[str, Any] = {}
    problems: list[tuple[str, str]] = []
    for name, value in raw.items():
        spec = FACTS.get(str(name))
        if spec is None:
            close = difflib.get_close_matches(str(name), list(FACTS), n=1)
            hint = f"; did you mean {close[0]}?" if close else " (see docs/triage.md)"
            problems.append((str(name), f"unknown fact{hint}"))
            continue
        if spec.derived:
            problems.append((str(name), "is worked out by Haven from the dates; do not send it"))
            continue
        try:
            cleaned.update(clean_facts({name: value}))
        except FactsError as exc:
            problems.append((exc.fact or str(name), exc.message))
    return cleaned, problems
