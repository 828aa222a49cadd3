"""Intake step: attach each new request to a case.

One request describes one household. When identity resolution has linked anyone
it names to a person already in an open case, the request joins that case (the
same family arriving through another channel); otherwise it opens a new case.
Intake hands over a batch of requests: they are attached in order, so a later
request of the batch joins a case an earlier one opened, with a fixed number of
statements for the whole batch.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from haven.audit.models import AuditAction
from haven.audit.services import audit_record_many
from haven.intake.models import PersonRecord, Relationship, Request
from haven.intake.services import IntakeItem
from haven.resolution.models import Person, PersonLink

from .models import Case, CaseEvent, CaseMember, CaseRequest

if TYPE_CHECKING:
    from haven.accounts.models import User

# A case's age order: stored cases (by id) come before the ones this batch opens.
CaseOrder = tuple[int, int]


def _people_by_record(item: IntakeItem, people: Mapping[int, Person]) -> dict[int, Person]:
    """The person of each of the item's records: as the matching step just linked them, or
    (a batch whose matching ran earlier) as stored."""
    if not item.records:
        return {}
    if all(record.pk in people for record in item.records):
        return {record.pk: people[record.pk] for record in item.records}
    return {
        link.person_record_id: link.person
        for link in PersonLink.objects.filter(
            person_record__in=item.records, ended_at__isnull=True
        ).select_related("person")
    }


def _principal_record(records: list[PersonRecord]) -> PersonRecord | None:
    return next(
        (r for r in records if r.relationship == Relationship.PRINCIPAL),
        records[0] if records else None,
    )


@dataclass
class _Cases:
    """Each person's oldest open case: stored ones read once, new ones as the batch opens them."""

    of_person: dict[int, CaseOrder] = field(default_factory=dict)
    by_order: dict[CaseOrder, Case] = field(default_factory=dict)
    opened: list[Case] = field(default_factory=list)
    # The order of each case opened in this batch, by id() of the case object: unsaved, it has
    # no primary key yet, and `opened` keeps it alive, so its id() is not reused.
    opened_order: dict[int, CaseOrder] = field(default_factory=dict)

    # The case of each request the batch's replies answer (Request.in_reply_to), by request id.
    of_request: dict[int, CaseOrder] = field(default_factory=dict)

    @classmethod
    def load(cls, people: set[int], answered: set[int] | None = None) -> _Cases:
        known = cls()
        if answered:
            for request_id, case_id in CaseRequest.objects.filter(
                request_id__in=answered
            ).values_list("request_id", "case_id"):
                known.of_request.setdefault(request_id, (0, case_id))
        if not people and not known.of_request:
            return known
        memberships = (
            CaseMember.objects.filter(person__in=people)
            .exclude(case__status=Case.Status.CLOSED)
            .values_list("person_id", "case_id")
            .order_by("case_id")
        )
        for person_id, case_id in memberships:
            known.of_person.setdefault(person_id, (0, case_id))
        ids = {case_id for _, case_id in (*known.of_person.values(), *known.of_request.values())}
        # Lock the cases: two requests for one household at once must both land in them.
        # No key of the locked rows changes (no delete, no unique column): FOR NO KEY UPDATE
        # on PostgreSQL, which does not hold up inserts of rows referencing them.
        for case in Case.objects.select_for_update(no_key=True).filter(pk__in=ids):
            known.by_order[(0, case.pk)] = case
        return known

    def find(
        self, principal: Person | None, people: list[Person], answers: int | None = None
    ) -> Case | None:
        """The case of the request this one answers, if any and open; else the open case
        holding someone the request names, the principal's first."""
        answered = self.of_request.get(answers) if answers else None
        case = self.by_order.get(answered) if answered else None
        if case is not None and case.status != Case.Status.CLOSED:
            return case
        order = self.of_person.get(principal.pk) if principal else None
        order = order or min(
            (self.of_person[p.pk] for p in people if p.pk in self.of_person), default=None
        )
        return self.by_order[order] if order else None

    def open(self, display_name: str, principal: Person | None) -> Case:
        case = Case(principal=principal, display_name=display_name)
        order = (1, len(self.opened))
        self.opened.append(case)
        self.by_order[order] = case
        self.opened_order[id(case)] = order
        return case

    def newcomers(self, members: list[CaseMember]) -> list[CaseMember]:
        """The members not already in their (stored) case."""
        stored = [order[1] for order in self.by_order if order[0] == 0]
        people = {m.person.pk for m in members}
        # Every row, removed ones too: a person staff removed from a case is not added back
        # by a later request (and a person is a member of a case once).
        present = (
            set(
                CaseMember.all_rows.filter(case_id__in=stored, person_id__in=people).values_list(
                    "case_id", "person_id"
                )
            )
            if stored
            else set()
        )
        return [m for m in members if (m.case.pk, m.person.pk) not in present]

    def remember(self, case: Case, people: list[Person]) -> None:
        order = self.opened_order.get(id(case)) or (0, case.pk)
        for person in people:
            self.of_person.setdefault(person.pk, order)


def attach_request_to_case(
    *,
    items: list[IntakeItem],
    people: Mapping[int, Person],
    actor: User | None,
    existing: Mapping[int, Case] | None = None,
) -> dict[int, Case]:
    """The intake flow's case step: each request joins the oldest open case of its people (or of
    the request it answers), or opens one; returns request id → case. `people` is the matching
    step's record id → person; `existing` the case (locked by the caller) of each request that
    is in one already (data entry), which its people join."""
    people_of = {id(item): _people_by_record(item, people) for item in items}
    attached: dict[int, Case] = {}
    cases = _Cases.load(
        {p.pk for found in people_of.values() for p in found.values()},
        {item.request.in_reply_to_id for item in items if item.request.in_reply_to_id},
    )
    members: dict[tuple[int, int], CaseMember] = {}
    links: list[CaseRequest] = []
    # The same pairs as `links`, held apart: a link's `case` is re-read from the database
    # once it is inserted (its id came after the link was built), one query per request.
    linked: list[tuple[Case, Request]] = []
    events: list[CaseEvent] = []
    filled: list[Case] = []
    for item in items:
        item_people = people_of[id(item)]
        principal_record = _principal_record(item.records)
        principal = item_people.get(principal_record.pk) if principal_record else None
        # A request already in a case (completed by data entry, cases.data_entry) stays in it,
        # and the caller holds it locked: its people join that case.
        preset = existing.get(item.request.pk) if existing else None
        case = preset or cases.find(
            principal, list(item_people.values()), item.request.in_reply_to_id
        )
        is_new = case is None
        if case is None:
            name = principal_record.display_name if principal_record else ""
            case = cases.open(name, principal)
        if preset is not None:
            cases.by_order[(0, preset.pk)] = preset
            if preset.principal_id is None and principal is not None and principal_record:
                preset.principal, preset.display_name = principal, principal_record.display_name
                filled.append(preset)
        cases.remember(case, list(item_people.values()))
        for record in item.records:
            person = item_people[record.pk]
            members.setdefault(
                (id(case), person.pk),
                CaseMember(case=case, person=person, relationship=record.relationship),
            )
        attached[item.request.pk] = case
        if preset is not None:
            continue  # linked already; its event is the data entry's
        links.append(CaseRequest(case=case, request=item.request))
        linked.append((case, item.request))
        events.append(_event(case, item, is_new, actor))
    # Intake's batches are bounded (a spreadsheet chunk, PENDING_BATCH): no batch_size, one
    # INSERT per table on PostgreSQL (SQLite's are split by its limit on parameters).
    Case.objects.bulk_create(cases.opened)
    for case in filled:
        case.save(update_fields=["principal", "display_name", "updated_at"])
    # A person already in the case stays as they are; only newcomers are added.
    CaseMember.objects.bulk_create(cases.newcomers(list(members.values())))
    CaseRequest.objects.bulk_create(links)
    CaseEvent.objects.bulk_create(events)
    _audit(linked, {case.pk for case in cases.opened}, actor)
    return attached


def _audit(linked: list[tuple[Case, Request]], opened: set[int], actor: User | None) -> None:
    """The security record of what the pipeline did on its own: each case it opened
    (created) and each it attached a request to (updated), one statement per kind."""
    for action, is_new in ((AuditAction.CREATE, True), (AuditAction.UPDATE, False)):
        audit_record_many(
            actor=actor,
            action=action,
            entries=[
                (
                    case,
                    f"{'Opened' if is_new else 'Request linked to'} {case.reference} "
                    f"(intake pipeline)",
                    {"request": request.pk, "automatic": True},
                )
                for case, request in linked
                if (case.pk in opened) == is_new
            ],
        )


def _event(case: Case, item: IntakeItem, is_new: bool, actor: User | None) -> CaseEvent:
    request = item.request
    channel = request.get_channel_display()
    return CaseEvent(
        case=case,
        kind=CaseEvent.Kind.CREATED if is_new else CaseEvent.Kind.REQUEST_LINKED,
        actor=actor,
        data={
            "message": "opened" if is_new else "request_linked",
            "receipt": request.receipt_number,
            "channel": request.channel,
        },
        description=(
            f"Opened from request {request.receipt_number} ({channel})"
            if is_new
            else f"Request {request.receipt_number} ({channel}) names people already in this case"
        ),
    )
