"""Staff change households: add, remove or move members, mark the principal, split a case.

Each service locks the cases involved, reads their households, asks the pure planner
(`member_plan.member_moves_plan`) what to write, and writes it: the member rows (a removed
member keeps their row, `CaseMember.removed_at`), one `CaseMemberChange` per person and case,
an event in the history of every case involved, and an audit event per case. A refusal is a
`HouseholdChangeRefused` with the planner's words, and nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from haven.accounts import permissions
from haven.accounts.models import User
from haven.audit.models import AuditAction
from haven.audit.services import audit_record
from haven.resolution.models import Person, PersonLink

from . import registry
from .member_plan import Action, Household, Member, MovePlan, MoveRequest, member_moves_plan
from .models import Case, CaseEvent, CaseMember, CaseMemberChange, CaseRequest


class HouseholdChangeRefused(ValidationError):
    """The change cannot be made; the messages say why, in plain words."""


@dataclass(frozen=True)
class HouseholdChanged:
    plan: MovePlan
    # The case the people went to (a new one for a split), if any.
    target: Case | None = None


# The change kinds and event messages each action writes, for (source, target).
_KINDS = {
    Action.ADD: (CaseMemberChange.Kind.STAFF_ADDED, None),
    Action.REMOVE: (CaseMemberChange.Kind.REMOVED, None),
    Action.MOVE: (CaseMemberChange.Kind.MOVED_OUT, CaseMemberChange.Kind.MOVED_IN),
    Action.SPLIT: (CaseMemberChange.Kind.MOVED_OUT, CaseMemberChange.Kind.MOVED_IN),
}
_MESSAGES = {
    Action.ADD: ("members_added", None),
    Action.REMOVE: ("members_removed", None),
    Action.MOVE: ("members_moved_out", "members_moved_in"),
    Action.SPLIT: ("household_split_out", "household_split_in"),
}
_ENGLISH = {
    "members_added": "Added to the household: {people}",
    "members_removed": "Removed from the household: {people}",
    "members_moved_out": "Moved to {case}: {people}",
    "members_moved_in": "Moved here from {case}: {people}",
    "household_split_out": "Split: {people} went to the new case {case}",
    "household_split_in": "Opened by splitting {case}: {people}",
    "principal_marked": "{people} is now the principal",
}


def _require(actor: User) -> None:
    if not permissions.can_work_cases(actor):
        raise PermissionDenied


def _lock(*cases: Case) -> dict[int, Case]:
    # Locked in id order (as case_merge locks): two caseworkers changing one household at
    # once must not both plan from the same members (one would move a person already gone).
    ids = sorted({c.pk for c in cases})
    # No key of the locked rows changes (no delete, no unique column): FOR NO KEY UPDATE
    # on PostgreSQL, which does not hold up inserts of rows referencing them.
    return {
        c.pk: c
        for c in Case.objects.select_for_update(no_key=True).filter(pk__in=ids).order_by("pk")
    }


def _rows(case: Case) -> list[CaseMember]:
    # Every row (removed ones too) but those folded by a merge of people, which are history.
    return list(CaseMember.all_rows.filter(case=case, merged_into__isnull=True).order_by("id"))


def household_of(case: Case, rows: list[CaseMember]) -> Household:
    return Household(
        case_id=case.pk,
        members=tuple(
            Member(m.person_id, m.relationship, removed=m.removed_at is not None) for m in rows
        ),
        principal_id=case.principal_id,
        closed=case.status == Case.Status.CLOSED,
    )


def _check(plan: MovePlan) -> None:
    if not plan.ok:
        raise HouseholdChangeRefused(list(plan.problems))


def _names(people: set[int]) -> dict[int, str]:
    return dict(Person.objects.filter(pk__in=people).values_list("pk", "display_name"))


def _who(people: list[int], names: dict[int, str]) -> str:
    return ", ".join(f"{names.get(p) or 'person'} (person {p})" for p in people)


def _principal_set(case: Case, person_id: int, names: dict[int, str]) -> None:
    case.principal_id = person_id
    case.display_name = names.get(person_id, "")[:300]
    case.save(update_fields=["principal", "display_name", "updated_at"])


def _event(
    case: Case,
    kind: str,
    message: str,
    people: list[int],
    names: dict[int, str],
    actor: User,
    other: Case | None,
    reason: str,
) -> CaseEvent:
    english = _ENGLISH[message].format(
        people=_who(people, names), case=other.reference if other else ""
    )
    if reason:
        english += f" Reason: {reason}"
    data: dict[str, Any] = {"message": message, "people": people}
    if other is not None:
        data["case"] = other.reference
    # The reason is free text: it stays in the (encrypted) description, not in `data`.
    return CaseEvent(case=case, kind=kind, actor=actor, description=english[:500], data=data)


def _changes(
    rows: dict[int, CaseMember],
    people: list[int],
    kind: str,
    actor: User,
    other: Case | None,
    reason: str,
    principal_moved: bool = False,
) -> list[CaseMemberChange]:
    return [
        CaseMemberChange(
            member=rows[p],
            kind=kind,
            from_person_id=p,
            to_person_id=p,
            other_case=other,
            principal_moved=principal_moved,
            reason=reason[:300],
            created_by=actor,
        )
        for p in people
    ]


def _audit(case: Case, actor: User, action: Action, people: list[int], other: Case | None) -> None:
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=case,
        summary=f"Household of {case.reference} changed ({action.value})",
        details={
            "action": action.value,
            "people": people,
            **({"other_case": other.pk} if other is not None else {}),
        },
    )


def _apply(
    *,
    source: Case,
    request: MoveRequest,
    actor: User,
    reason: str,
    target: Case | None = None,
) -> HouseholdChanged:
    source_rows = _rows(source)
    target_rows = _rows(target) if target is not None else []
    plan = member_moves_plan(
        source=household_of(source, source_rows),
        request=request,
        target=household_of(target, target_rows) if target is not None else None,
    )
    _check(plan)
    now = timezone.now()
    leads = {p for p in (plan.source_principal, plan.target_principal) if p is not None}
    names = _names(set(request.people) | {p.person_id for p in plan.join} | leads)
    out_kind, in_kind = _KINDS[request.action]
    out_message, in_message = _MESSAGES[request.action]
    if request.action == Action.SPLIT:
        lead = plan.target_principal
        assert lead is not None
        target = Case.objects.create(principal_id=lead, display_name=names.get(lead, "")[:300])
        _split_requests_link(source, target, [p.person_id for p in plan.join])
    joined_case = source if request.action == Action.ADD else target
    by_person = {m.person_id: m for m in source_rows}
    leaving = [by_person[p] for p in plan.leave]
    for row in leaving:
        row.removed_at = now
    CaseMember.all_rows.bulk_update(leaving, ["removed_at"])
    joined = _join(joined_case, target_rows if target is not None else source_rows, plan)
    changes = _changes(
        by_person,
        list(plan.leave),
        out_kind,
        actor,
        target,
        reason,
        principal_moved=source.principal_id in plan.leave,
    )
    events = []
    if plan.leave:
        events.append(
            _event(
                source,
                _event_kind(request.action),
                out_message,
                list(plan.leave),
                names,
                actor,
                target,
                reason,
            )
        )
    joined_people = [p.person_id for p in plan.join]
    if joined_case is not None and joined_people:
        kind = in_kind or out_kind
        changes += _changes(joined, joined_people, kind, actor, source if in_kind else None, reason)
        message = in_message or out_message
        events.append(
            _event(
                joined_case,
                _event_kind(request.action),
                message,
                joined_people,
                names,
                actor,
                source if in_message else None,
                reason,
            )
        )
    if plan.source_principal is not None:
        _principal_set(source, plan.source_principal, names)
    if target is not None and plan.target_principal is not None and request.action != Action.SPLIT:
        _principal_set(target, plan.target_principal, names)
    CaseMemberChange.objects.bulk_create(changes)
    CaseEvent.objects.bulk_create(events)
    if request.action == Action.SPLIT:
        assert target is not None
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=target,
            summary=f"Opened {target.reference} by splitting {source.reference}",
            details={"people": joined_people, "split_from": source.pk},
        )
    _audit(source, actor, request.action, sorted(set(plan.leave) | set(joined_people)), target)
    if target is not None and request.action == Action.MOVE:
        _audit(target, actor, request.action, joined_people, source)
    # Triage decides again (triage registers how; cases cannot import it): the new case of a
    # split like any new case, the others because their household changed.
    changed = [source] + ([target] if target is not None and request.action == Action.MOVE else [])
    registry.household_changed_notify(cases=changed, actor=actor)
    if request.action == Action.SPLIT:
        assert target is not None
        registry.cases_opened_notify(cases=[target], actor=actor)
    return HouseholdChanged(plan=plan, target=target)


def _event_kind(action: Action) -> str:
    if action == Action.SPLIT:
        return CaseEvent.Kind.HOUSEHOLD_SPLIT
    return CaseEvent.Kind.MEMBERS_CHANGED


def _join(case: Case | None, rows: list[CaseMember], plan: MovePlan) -> dict[int, CaseMember]:
    """The target's rows for the people joining: removed rows come back, others are made."""
    if case is None or not plan.join:
        return {}
    existing = {m.person_id: m for m in rows}
    back = [existing[p.person_id] for p in plan.join if p.reuse_row]
    for row in back:
        row.removed_at = None
    CaseMember.all_rows.bulk_update(back, ["removed_at"])
    made = CaseMember.all_rows.bulk_create(
        [
            CaseMember(case=case, person_id=p.person_id, relationship=p.relationship)
            for p in plan.join
            if not p.reuse_row
        ]
    )
    result = {m.person_id: m for m in back}
    result.update({m.person_id: m for m in made})
    return result


def _split_requests_link(source: Case, target: Case, people: list[int]) -> None:
    """The new case's provenance: the source's requests that name someone it takes."""
    requests = set(
        PersonLink.objects.filter(
            person_id__in=people,
            ended_at__isnull=True,
            person_record__request__case_links__case=source,
        ).values_list("person_record__request_id", flat=True)
    )
    CaseRequest.objects.bulk_create(
        [CaseRequest(case=target, request_id=r) for r in sorted(requests)]
    )


@transaction.atomic
def case_members_add(
    *,
    case: Case,
    actor: User,
    people: list[tuple[int, str]],
    reason: str = "",
) -> HouseholdChanged:
    """Add people (person id, relationship) to the household of `case`."""
    _require(actor)
    found = set(Person.objects.filter(pk__in=[p for p, _ in people]).values_list("pk", flat=True))
    missing = [p for p, _ in people if p not in found]
    if missing:
        raise HouseholdChangeRefused([f"There is no person {p}." for p in missing])
    locked = _lock(case)[case.pk]
    request = MoveRequest(
        action=Action.ADD, people=tuple(p for p, _ in people), relationships=tuple(people)
    )
    return _apply(source=locked, request=request, actor=actor, reason=reason)


@transaction.atomic
def case_members_remove(
    *, case: Case, actor: User, people: list[int], reason: str = ""
) -> HouseholdChanged:
    """Take people out of the household (their rows stay, marked removed)."""
    _require(actor)
    locked = _lock(case)[case.pk]
    request = MoveRequest(action=Action.REMOVE, people=tuple(people))
    return _apply(source=locked, request=request, actor=actor, reason=reason)


@transaction.atomic
def case_members_move(
    *, source: Case, target: Case, actor: User, people: list[int], reason: str = ""
) -> HouseholdChanged:
    """Move people from one case's household to another's."""
    _require(actor)
    locked = _lock(source, target)
    request = MoveRequest(action=Action.MOVE, people=tuple(people))
    return _apply(
        source=locked[source.pk],
        target=locked[target.pk],
        request=request,
        actor=actor,
        reason=reason,
    )


@transaction.atomic
def case_household_split(
    *,
    case: Case,
    actor: User,
    people: list[int],
    principal_id: int | None = None,
    reason: str = "",
) -> HouseholdChanged:
    """Chosen members leave for a new case, which is triaged like any other."""
    _require(actor)
    locked = _lock(case)[case.pk]
    request = MoveRequest(action=Action.SPLIT, people=tuple(people), principal_id=principal_id)
    return _apply(source=locked, request=request, actor=actor, reason=reason)


@transaction.atomic
def case_principal_mark(*, case: Case, actor: User, person_id: int) -> HouseholdChanged:
    """Make a member the principal (the case is listed under their name)."""
    _require(actor)
    locked = _lock(case)[case.pk]
    rows = _rows(locked)
    plan = member_moves_plan(
        source=household_of(locked, rows),
        request=MoveRequest(action=Action.PRINCIPAL, people=(person_id,), principal_id=person_id),
    )
    _check(plan)
    names = _names({person_id})
    by_person = {m.person_id: m for m in rows}
    _principal_set(locked, person_id, names)
    CaseMemberChange.objects.bulk_create(
        _changes(by_person, [person_id], CaseMemberChange.Kind.PRINCIPAL, actor, None, "")
    )
    _event(
        locked,
        CaseEvent.Kind.MEMBERS_CHANGED,
        "principal_marked",
        [person_id],
        names,
        actor,
        None,
        "",
    ).save()
    _audit(locked, actor, Action.PRINCIPAL, [person_id], None)
    return HouseholdChanged(plan=plan)
