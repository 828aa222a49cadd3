"""What partner systems send and receive. The OpenAPI schema is generated from these.

Content is accepted as written (a date of birth is a string: "1365/04/12", "1990",
"01/01/2012" are all fine; intake parses and flags it); only the shape is strict,
so a typo in a field name is answered at once instead of silently losing data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Annotated, Any

from ninja import Schema
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from haven.common.registry import Slot
from haven.intake.models import IdentifierKind, Relationship, Request, Sex

# What partners send, and the answer to a create, are plain pydantic models: ninja's Schema
# adds a wrapper for reading Django objects that runs on every nested object, a third of
# the validation of a household of five. What is read from the database stays a Schema.


def _storable(value: str) -> str:
    # PostgreSQL refuses NUL in text and UTF-8 cannot encode a lone surrogate: refuse them
    # here as a validation error rather than fail inside the database.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("must be valid Unicode text") from exc
    return value


Text = Annotated[str, AfterValidator(_storable)]

EXAMPLE_REQUEST: dict[str, Any] = {
    "people": [
        {
            "relationship": "principal",
            "given_name": "Mohammad Zaman",
            "family_name": "Ahmadzai",
            "father_name": "Gul Ahmad",
            "sex": "m",
            "date_of_birth": "1365/04/12",
            "province": "Nangarhar",
            "identifiers": [
                {"kind": "passport", "value": "P12345678"},
                {"kind": "e_tazkira", "value": "1398-0102-34567"},
                {"kind": "siv_case", "value": "KBL0012345"},
            ],
        },
        {
            "relationship": "spouse",
            "given_name": "Fatima",
            "father_name": "Abdul Rahman",
            "sex": "f",
            "date_of_birth": "1990",
        },
        {
            "relationship": "child",
            "full_name": "ذبیح‌الله",
            "sex": "m",
            "date_of_birth": "01/01/2012",
        },
    ],
    "contact": {"phone": "+93 700 123 456", "email": "family@example.org"},
    "location": {"country": "PK", "place": "Islamabad, G-9"},
    "help_requested": "SIV applicant, COM approved; family in hiding, needs relocation.",
    "language": "fa-af",
    "consent_version": "2021-08",
    "facts": {
        "nationality": "AF",
        "employer_type": "us_government_contractor",
        "employment_months": 26,
        "siv_stage": "com_approved",
        "vulnerabilities": ["imminent_threat"],
    },
}

FACTS_DESCRIPTION = (
    "Answers about eligibility, by fact name, as documented in docs/triage.md ('Case facts'): "
    "nationality and current_country (ISO 3166 alpha-2), is_us_citizen, is_us_lpr, "
    "employer_type, employment_months, has_recommendation_letter, siv_stage, referral_source, "
    "us_relative, claims_eligibility, vulnerabilities (a list), dependants. null or absent "
    "means unknown. A fact with an unknown name, a wrong type or a value outside its list is "
    "refused (422) naming the fact; days_waiting is worked out by Haven and cannot be sent."
)


FactsCheck = Callable[[Any], tuple[Mapping[str, Any], list[tuple[str, str]]]]
# The fact schema is triage's, and intake may not import it: triage fills this slot
# (check(raw) -> (cleaned, [(fact, message)])) in its AppConfig.ready().
facts_checker: Slot[FactsCheck] = Slot("the check of a request's facts against the schema")


def facts_checked(value: dict[str, Any]) -> dict[str, Any]:
    """The facts checked against the fact schema (triage's, through `facts_checker`). Every
    wrong fact is named at once."""
    check = facts_checker.get()
    if check is None:
        return value
    cleaned, problems = check(value)
    if problems:
        raise PydanticCustomError(
            "fact_invalid",
            "{summary}",
            {
                "summary": "; ".join(f"{fact}: {message}" for fact, message in problems),
                "problems": [list(problem) for problem in problems],
            },
        )
    return dict(cleaned)


class IdentifierIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: IdentifierKind
    value: Text = Field(min_length=1, max_length=100)


class PersonIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    relationship: Relationship | None = Field(
        default=None,
        description="To the principal applicant. If omitted: the first person is the "
        "principal, the others are 'other'.",
    )
    full_name: Text = Field(
        "", max_length=300, description="The whole name as written, in any script."
    )
    given_name: Text = Field("", max_length=150)
    family_name: Text = Field("", max_length=150)
    father_name: Text = Field("", max_length=150)
    sex: Sex = Sex.UNKNOWN
    date_of_birth: Text = Field(
        "",
        max_length=50,
        description="As written: a full date, a year, or a Solar Hijri date such as 1365/04/12.",
    )
    province: Text = Field("", max_length=100, description="Province of origin.")
    identifiers: list[IdentifierIn] = Field(default_factory=list, max_length=20)


class ContactIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    phone: Text = Field(
        "",
        max_length=50,
        description="Any format; stored as written and as E.164 when it can be read.",
    )
    email: Text = Field("", max_length=254)


class LocationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    country: Text = Field(
        "",
        max_length=2,
        description="ISO 3166-1 alpha-2 code, e.g. PK.",
        pattern=r"^([A-Za-z]{2})?$",
    )
    place: Text = Field("", max_length=200, description="Town, district or camp.")


class RequestIn(BaseModel):
    """One request for help: a household (principal first) and how to reach them."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [EXAMPLE_REQUEST]})

    people: list[PersonIn] = Field(min_length=1, max_length=50)
    contact: ContactIn = Field(default_factory=lambda: ContactIn.model_validate({}))
    location: LocationIn = Field(default_factory=lambda: LocationIn.model_validate({}))
    help_requested: Text = Field(
        "", max_length=10_000, description="What help is asked for, in the requester's words."
    )
    language: Text = Field(
        "", max_length=10, description="Language the household prefers, e.g. en, fa-af, ps."
    )
    consent_version: Text = Field(
        "", max_length=20, description="Version of the consent statement the household agreed to."
    )
    facts: dict[str, Any] | None = Field(default=None, max_length=50, description=FACTS_DESCRIPTION)

    @field_validator("facts")
    @classmethod
    def _facts_fit_the_schema(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        return None if value is None else facts_checked(value)


class RequestCreatedOut(BaseModel):
    id: int
    receipt_number: str = Field(examples=["HV-7KQ2M-XR4PD"])
    status_secret: str = Field(
        description="Give it to the household with the receipt number: together they open "
        "the status page. Shown only in this response (and its idempotent replays)."
    )
    status: Request.Status
    received_at: dt.datetime
    people_count: int
    needs_data_entry: bool = Field(
        description="True when a person has no name: staff will complete the request."
    )


class RequestSummaryOut(Schema):
    id: int
    receipt_number: str
    received_at: dt.datetime
    status: Request.Status = Field(
        description="Follows the request's case: received, under_review (triaged or being "
        "worked), referred (to a partner), closed."
    )
    outcome: str = Field(
        "",
        description="Once closed, why, in neutral words: "
        + ", ".join(Request.Outcome.values)
        + "; empty otherwise.",
    )
    people_count: int


class RequestPageOut(Schema):
    count: int
    page: int
    page_size: int
    pages: int
    results: list[RequestSummaryOut]


class ErrorDetail(Schema):
    model_config = ConfigDict(extra="allow")

    field: str | None = None
    location: str | None = None
    message: str | None = None
    type: str | None = None


class ErrorBody(Schema):
    code: str
    message: str
    details: list[ErrorDetail]


class ErrorOut(Schema):
    error: ErrorBody
