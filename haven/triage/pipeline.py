"""Intake step: triage the case a new request was attached to.

Append "haven.triage.pipeline.triage_new_case" to HAVEN_INTAKE_PIPELINE after
"haven.cases.pipeline.attach_request_to_case". It runs inside the intake
transaction; a request is never refused because of triage.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from haven.cases.models import CaseRequest
from haven.intake.models import PersonRecord, Request
from haven.intake.services import IntakeContext

from . import services
from .facts import clean_facts_leniently
from .models import TriageDecision

if TYPE_CHECKING:
    from haven.accounts.models import User


def facts_from_request(request: Request, records: list[PersonRecord]) -> dict[str, Any]:
    """What intake tells us: the country the request came from, the number of
    dependants, and any answers under a "facts" object in a JSON request."""
    facts: dict[str, Any] = {}
    if request.current_country:
        facts["current_country"] = request.current_country
    if records:
        facts["dependants"] = len(records) - 1
    try:
        raw = json.loads(request.raw_input) if request.raw_content_type.endswith("json") else {}
    except ValueError:
        raw = {}
    given, _rejected = clean_facts_leniently(raw.get("facts") if isinstance(raw, dict) else None)
    given.pop("days_waiting", None)  # derived from the dates, never taken from a requester
    return {**facts, **given}


def triage_new_case(
    *, request: Request, records: list[PersonRecord], actor: User | None, context: IntakeContext
) -> None:
    case = context.case
    if case is None:
        link = CaseRequest.objects.filter(request=request).select_related("case").first()
        if link is None:
            return  # nothing attached the request to a case: nothing to triage.
        case = link.case
    services.case_facts_record(case=case, facts=facts_from_request(request, records), actor=actor)
    services.case_retriage(case=case, actor=actor, reason=TriageDecision.Reason.INTAKE)
