"""The data-entry queue: requests that could not be read, completed by hand.

A request that named nobody (or someone without any name) is stored anyway, flagged
`needs_data_entry`, and attached to a case of its own by the pipeline. Staff open it beside
its original (the e-mail's text, the spreadsheet's row: decrypted, audited), type the people
and what they said, and `request_data_entry_complete` stores them as records of the request
and runs the normal pipeline on them (matching, their case, triage, public status). The
request then leaves the queue.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.accounts import permissions
from haven.accounts.models import User
from haven.audit.models import AuditAction
from haven.audit.services import audit_record
from haven.common.registry import Slot
from haven.intake.data_entry import request_people_add
from haven.intake.models import Request
from haven.intake.services import IntakeItem, RequestInput
from haven.resolution.models import Person

from . import registry
from .models import Case, CaseEvent, CaseRequest


class DataEntryRefused(ValidationError):
    """The request cannot be completed (already done, or nobody entered)."""


class EnteredFlowResult(Protocol):
    @property
    def people(self) -> dict[int, Person]: ...  # record id → person

    @property
    def cases(self) -> dict[int, Case]: ...  # request id → case


class EnteredFlow(Protocol):
    def __call__(
        self, *, items: list[IntakeItem], cases: Mapping[int, Case], actor: User | None
    ) -> EnteredFlowResult: ...


# The intake flow for entered requests (matching, their case, triage, public status), composed
# in haven/config/flow.py (`entered_request_flow_run`), which fills this slot when Django starts:
# cases may not import triage.
entered_flow: Slot[EnteredFlow] = Slot("the intake flow for requests completed by data entry")


def _require(user: User) -> None:
    if not permissions.can_enter_requests(user):
        raise PermissionDenied


def data_entry_queue(*, user: User) -> QuerySet[Request]:
    """Requests waiting for data entry, oldest first; one audit event per page read."""
    _require(user)
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        object_type="intake.request",
        summary="Data-entry queue",
    )
    return (
        Request.objects.filter(needs_data_entry=True)
        # An e-mail's flags say why it waits (shown on the queue).
        .select_related("requester__organization", "mail_message", "mail_part__message")
        .prefetch_related("case_links")
        .order_by("received_at", "id")
    )


@dataclass(frozen=True)
class Original:
    """The request as received, for reading: text, or a row's cells as (column, value)."""

    text: str
    cells: list[tuple[str, str]]
    content_type: str


def _original(request: Request) -> Original:
    raw = request.raw_input or ""
    if request.raw_content_type.endswith("json"):
        try:
            parsed = json.loads(raw)
        except ValueError:
            parsed = None
        if isinstance(parsed, dict):
            cells = [(str(k), _cell(v)) for k, v in parsed.items()]
            return Original(text="", cells=cells, content_type=request.raw_content_type)
    return Original(text=raw, cells=[], content_type=request.raw_content_type)


def _cell(value: Any) -> str:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ", ".join(value)
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


@dataclass(frozen=True)
class DataEntryView:
    request: Request
    original: Original
    case: Case | None


def data_entry_get(*, user: User, request_id: int) -> DataEntryView:
    """One request of the queue with its original, decrypted: an audited read."""
    _require(user)
    request = (
        Request.objects.select_related(
            "requester__organization", "mail_message", "mail_part__message"
        )
        .filter(pk=request_id, needs_data_entry=True)
        .first()
    )
    if request is None:
        raise Http404
    link = CaseRequest.objects.filter(request=request).select_related("case").first()
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        obj=request,
        summary=f"Original of {request.receipt_number} read for data entry",
    )
    return DataEntryView(
        request=request, original=_original(request), case=link.case if link else None
    )


@transaction.atomic
def request_data_entry_complete(*, request: Request, actor: User, data: RequestInput) -> Case:
    """Store the people staff entered for `request` and run the pipeline on them."""
    _require(actor)
    if not data.people:
        raise DataEntryRefused(_("Enter at least the principal applicant."))
    # Lock the request: two officers completing it at once must not both add its people.
    # No key of the locked rows changes (no delete, no unique column): FOR NO KEY UPDATE
    # on PostgreSQL, which does not hold up inserts of rows referencing them.
    locked = Request.objects.select_for_update(no_key=True).get(pk=request.pk)
    if not locked.needs_data_entry:
        raise DataEntryRefused(_("This request was entered already: it is no longer waiting."))
    if locked.pipeline_pending or locked.people_pending:
        raise DataEntryRefused(
            _("This request is still being processed: try again in a few minutes.")
        )
    link = CaseRequest.objects.filter(request=locked).order_by("id").first()
    if link is None:
        raise DataEntryRefused(_("This request is not in a case yet: try again in a few minutes."))
    # Lock its case too, as the intake flow locks the cases a request joins.
    # No key of the locked rows changes (no delete, no unique column): FOR NO KEY UPDATE
    # on PostgreSQL, which does not hold up inserts of rows referencing them.
    case = Case.objects.select_for_update(no_key=True).get(pk=link.case_id)
    flow = entered_flow.get()
    if flow is None:
        raise DataEntryRefused(_("Matching is not available: nothing was changed."))
    item = request_people_add(request=locked, people=data.people)
    records = item.records
    facts = {**(locked.stated_facts or {}), **data.facts}
    locked.stated_facts = facts or None
    locked.needs_data_entry = False
    fields = ["stated_facts", "needs_data_entry"]
    if data.current_country and not locked.current_country:
        locked.current_country = data.current_country.strip().upper()[:2]
        fields.append("current_country")
    locked.save(update_fields=fields)
    started = timezone.now()
    result = flow(
        items=[item],
        cases={locked.pk: case},
        actor=actor,
    )
    case = result.cases[locked.pk]
    people = sorted({p.pk for p in result.people.values()})
    CaseEvent.objects.create(
        case=case,
        kind=CaseEvent.Kind.DATA_ENTERED,
        actor=actor,
        description=f"Request {locked.receipt_number} entered by hand: {len(records)} people",
        data={"message": "data_entered", "receipt": locked.receipt_number, "people": people},
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        summary=f"Data entry of {locked.receipt_number} completed",
        details={"people": len(records), "case": case.pk},
    )
    triaged = CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.TRIAGED, at__gte=started)
    if not triaged.exists():
        # The case was triaged with nobody in it and the flow's triage saw no new facts:
        # decide again now that it has its people.
        registry.household_changed_notify(cases=[case], actor=actor)
    return case
