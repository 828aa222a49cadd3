"""Triage cases whose household staff changed (cases.services_members, cases.data_entry).

A case opened by splitting a household is triaged exactly as the intake pipeline triages a
new case (its requests' facts, then the guidance); a case whose members changed is triaged
again, since the household's size is a fact the guidance reads."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from haven.cases.models import Case, CaseRequest
from haven.intake.models import PersonRecord
from haven.intake.services import IntakeItem

from .models import TriageDecision
from .pipeline import triage_new_case
from .services import case_retriage

if TYPE_CHECKING:
    from haven.accounts.models import User


def cases_opened_triage(*, cases: list[Case], actor: User | None) -> None:
    links = list(
        CaseRequest.objects.filter(case__in=cases).select_related("request").order_by("id")
    )
    records: dict[int, list[PersonRecord]] = defaultdict(list)
    for record in PersonRecord.objects.filter(request__in=[link.request_id for link in links]):
        records[record.request_id].append(record)
    by_pk = {case.pk: case for case in cases}
    items = [IntakeItem(request=link.request, records=records[link.request_id]) for link in links]
    triage_new_case(
        items=items, cases={link.request_id: by_pk[link.case_id] for link in links}, actor=actor
    )


def households_retriage(*, cases: list[Case], actor: User | None) -> None:
    for case in cases:
        case_retriage(case=case, actor=actor, reason=TriageDecision.Reason.CORRECTION)
