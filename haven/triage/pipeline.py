"""Intake step: triage the case a new request was attached to.

The intake flow (haven/config/flow.py) calls it after the cases step, with the cases that step
attached the requests to. It runs inside the intake transaction, on the whole batch of requests intake hands over, with a fixed
number of statements; a request is never refused because of triage.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from haven.cases.models import Case, CaseRequest
from haven.intake.models import PersonRecord, Request
from haven.intake.services import IntakeItem

from . import services_intake
from .facts import clean_facts_leniently

if TYPE_CHECKING:
    from haven.accounts.models import User


def facts_from_request(request: Request, records: list[PersonRecord]) -> dict[str, Any]:
    """What a request tells us: the country it came from and any answers under a "facts"
    object in a JSON request. How many dependants is the household's to say (derived from
    the case's members, provenance.py), never a request's row count. Answers a form or a
    spreadsheet gave (Request.stated_facts) count too."""
    facts: dict[str, Any] = {}
    if request.current_country:
        facts["current_country"] = request.current_country.upper()
    try:
        raw = json.loads(request.raw_input) if request.raw_content_type.endswith("json") else {}
    except ValueError:
        raw = {}
    given, _rejected = clean_facts_leniently(raw.get("facts") if isinstance(raw, dict) else None)
    # What a form or a spreadsheet's eligibility columns answered; the API's raw body wins.
    stated, _wrong = clean_facts_leniently(request.stated_facts)
    given = {**stated, **given}
    given.pop("days_waiting", None)  # derived from the dates, never taken from a requester
    return {**facts, **given}


def _answers_by_case(
    items: list[IntakeItem], cases: Mapping[int, Case]
) -> dict[int, tuple[Case, list[tuple[int | None, dict[str, Any]]]]]:
    """Per case of the batch, what each of its requests tells, in order."""
    by_case: dict[int, tuple[Case, list[tuple[int | None, dict[str, Any]]]]] = {}
    for item in items:
        case = cases.get(item.request.pk) or _case_of(item.request)
        if case is None:
            continue  # nothing attached the request to a case: nothing to triage.
        _, answers = by_case.setdefault(case.pk, (case, []))
        answers.append((item.request.pk, facts_from_request(item.request, item.records)))
    return by_case


def _case_of(request: Request) -> Case | None:
    link = CaseRequest.objects.filter(request=request).select_related("case").first()
    return link.case if link is not None else None


def triage_new_case(
    *, items: list[IntakeItem], cases: Mapping[int, Case], actor: User | None
) -> None:
    """Record what the batch's requests tell about their cases, by precedence (a known fact
    is never overwritten: a contradiction is new information to review), and triage the
    cases that are new or whose facts changed, in bulk."""
    by_case = _answers_by_case(items, cases)
    if not by_case:
        return
    stored, changed = services_intake.case_facts_record_many(
        answers={pk: answers for pk, (_, answers) in by_case.items()},
        actor=actor,
        receipts={item.request.pk: item.request.receipt_number for item in items},
    )
    services_intake.cases_triage_new(
        cases=[case for case, _ in by_case.values() if case.pk in changed or not case.pathway],
        facts=stored,
        actor=actor,
    )
