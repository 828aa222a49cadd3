"""Triage a case staff opened outside intake (a household split, cases.services_members),
exactly as the intake pipeline triages a new case: its requests' facts, then the guidance."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from haven.cases.models import Case, CaseRequest
from haven.intake.models import PersonRecord
from haven.intake.services import IntakeItem

from .pipeline import triage_new_case

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
    items = [
        IntakeItem(request=link.request, records=records[link.request_id], case=by_pk[link.case_id])
        for link in links
    ]
    triage_new_case(items=items, actor=actor)
