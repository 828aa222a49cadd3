"""A small synthetic desk for the reports tests: requests through the real intake service,
then the cases' pathway, status and worker set as triage and caseworkers would."""

from __future__ import annotations

import datetime as dt
import json

from django.utils import timezone

from haven.cases.models import Case, CaseRequest
from haven.intake.models import Channel, Request
from haven.intake.services import PersonInput, RequestInput, request_create

NAMES = ["Ahmad", "Farida", "Zabihullah", "Gul", "Nasrin", "Rahim", "Mariam", "Wahid"]
FATHERS = ["Karim", "Sultan", "Habib", "Nabi", "Qasim", "Yusuf", "Jalal", "Omar", "Daud"]


def add_case(
    *,
    days_ago: int = 0,
    channel: str = Channel.WALK_IN,
    province: str = "Kabul",
    pathway: str = "",
    status: str = Case.Status.NEW,
    assignee=None,
    members: int = 0,
    name: str = "",
    identifiers: tuple[tuple[str, str], ...] = (),
) -> Case:
    index = Request.objects.count()
    principal = PersonInput(
        given_name=name or NAMES[index % len(NAMES)],
        father_name=FATHERS[index % len(FATHERS)],
        date_of_birth=str(1940 + index),
        province=province,
        identifiers=identifiers,
    )
    others = tuple(
        PersonInput(given_name=f"Child{i}", relationship="child", province=province)
        for i in range(members)
    )
    received = timezone.now() - dt.timedelta(days=days_ago)
    created = request_create(
        data=RequestInput(channel=channel, people=(principal, *others)),
        raw_input=json.dumps({"n": index}),
        received_at=received,
    )
    case_id = CaseRequest.objects.get(request=created.request).case_id
    Case.objects.filter(pk=case_id).update(pathway=pathway, status=status, assignee=assignee)
    return Case.objects.get(pk=case_id)
