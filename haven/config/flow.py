"""The intake flow, written out: what happens to a batch of stored requests, step by step.

Intake stores requests and hands each batch here (through `intake.inputs.intake_flow`, a slot
this app fills when Django starts, since intake may not import the apps after it). Each step is
a plain call with typed inputs, and returns what the next step needs; nothing is carried on
model instances. All of it runs inside the transaction that stored the requests (a walk-in, an
import chunk, the background drain), so a request is stored with its case and decision or not
at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from haven.cases.documents_intake import mail_attachments_to_documents
from haven.cases.models import Case
from haven.cases.pipeline import attach_request_to_case
from haven.cases.public_status import requests_public_status_sync
from haven.intake.services import IntakeItem
from haven.resolution.models import Person
from haven.resolution.pipeline import resolve_request_people
from haven.triage.pipeline import triage_new_case

if TYPE_CHECKING:
    from haven.accounts.models import User


@dataclass(frozen=True)
class IntakeFlowResult:
    # Record id → the person it was linked to (a new person or an existing one).
    people: dict[int, Person]
    # Request id → the case it joined or opened.
    cases: dict[int, Case]


def intake_flow_run(*, items: list[IntakeItem], actor: User | None) -> IntakeFlowResult:
    # 1. Who are these people? Each record is linked to a person in real time (resolution).
    people = resolve_request_people(items=items, actor=actor)
    # 2. Which case? A request joins the oldest open case of its people, or opens one.
    cases = attach_request_to_case(items=items, people=people, actor=actor)
    # 3. What does the active guidance say? The facts the requests state are recorded and the
    #    new (or changed) cases triaged.
    triage_new_case(items=items, cases=cases, actor=actor)
    # 4. An e-mail's attachments that pass the document checks become documents of its case.
    mail_attachments_to_documents(items=items, cases=cases, actor=actor)
    # 5. Last: each request's public status follows its case (received, or under review once
    #    triaged); the status messages to requesters follow from the status change.
    requests_public_status_sync(cases=cases.values(), actor=actor)
    return IntakeFlowResult(people=people, cases=cases)


def entered_request_flow_run(
    *, items: list[IntakeItem], cases: Mapping[int, Case], actor: User | None
) -> IntakeFlowResult:
    """The same flow for requests completed by data entry (cases.data_entry): their people,
    just entered, are matched; each request stays in the case it is in (`cases`: request id →
    case, locked by the caller), which its people join; then triage and public status."""
    people = resolve_request_people(items=items, actor=actor)
    attached = attach_request_to_case(items=items, people=people, actor=actor, existing=cases)
    triage_new_case(items=items, cases=attached, actor=actor)
    requests_public_status_sync(cases=attached.values(), actor=actor)
    return IntakeFlowResult(people=people, cases=attached)
