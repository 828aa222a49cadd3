"""What intake is given and what it hands on: the typed inputs every channel builds, and the
hand-over of stored requests to the steps after intake (haven/config/flow.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from haven.accounts.models import Organization
from haven.common.registry import Slot

from .models import PersonRecord, Relationship, Request, Requester

if TYPE_CHECKING:
    from haven.accounts.models import User


@dataclass(frozen=True)
class PersonInput:
    relationship: str = Relationship.PRINCIPAL
    full_name: str = ""
    given_name: str = ""
    family_name: str = ""
    father_name: str = ""
    sex: str = ""
    date_of_birth: str = ""
    province: str = ""
    # (kind, value as written) pairs; kinds are IdentifierKind values.
    identifiers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class RequesterInput:
    kind: str = Requester.Kind.APPLICANT
    name: str = ""
    organization: Organization | None = None
    contact: str = ""


@dataclass(frozen=True)
class RequestInput:
    channel: str
    people: tuple[PersonInput, ...]
    requester: RequesterInput = field(default_factory=RequesterInput)
    help_requested: str = ""
    current_country: str = ""
    current_location: str = ""
    language: str = ""
    consent_version: str = ""
    # Eligibility answers by fact name (forms, spreadsheet columns); triage checks them.
    facts: dict[str, Any] = field(default_factory=dict)


# Person records' identifiers as matching reads them, (kind, value as written) pairs, by
# record id.
IdentifiersByRecord = Mapping[int, tuple[tuple[str, str], ...]]


@dataclass(frozen=True)
class IntakeItem:
    """One stored request on its way through the pipeline, with its person records. What each
    step learns (the people, the case) it returns to the flow (haven/config/flow.py), which
    hands it to the next step."""

    request: Request
    records: list[PersonRecord]
    # The identifiers of its records as written, (kind, value) pairs by record id, where
    # intake has them at hand (records it has just stored): matching reads any other
    # record's from the database.
    identifiers: IdentifiersByRecord = field(default_factory=dict)


class IntakeFlow(Protocol):
    def __call__(self, *, items: list[IntakeItem], actor: User | None) -> object: ...


# What happens to stored requests next (matching, cases, triage, public status) is composed at
# the top of the app order, in haven/config/flow.py, which fills this slot when Django starts:
# intake may not import the apps after it. Empty, stored requests simply wait.
intake_flow: Slot[IntakeFlow] = Slot("the steps after intake, given each stored batch")


@dataclass(frozen=True)
class NewRequest:
    """One request for requests_create_many: what was understood and what was received."""

    data: RequestInput
    raw_input: str
    raw_content_type: str = "application/json"
    received_at: dt.datetime | None = None
    # Added to the audit event of the request (which token or batch it came through).
    audit_details: dict[str, Any] = field(default_factory=dict)
    # The stored request this one answers (an e-mail reply in its thread): it joins that
    # request's case, and needs no data entry for naming nobody.
    in_reply_to: Request | None = None


@dataclass(frozen=True)
class CreatedRequest:
    request: Request
    # Shown to the requester once; only its hash is stored.
    status_secret: str


def pipeline_run(*, items: list[IntakeItem], actor: User | None) -> None:
    """The steps after intake (haven/config/flow.py), given the whole batch."""
    flow = intake_flow.get()
    if flow is not None:
        flow(items=items, actor=actor)
