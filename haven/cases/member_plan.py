"""Planning changes to households: a pure function, no database (issue #12, item 5).

`member_moves_plan` takes what two cases hold now (`Household`) and what staff asked for
(`MoveRequest`: add, remove, move, split, mark the principal) and returns the rows to write
(`MovePlan`) or the reasons it cannot be done, in plain words. `services_members` reads the
state under lock, calls the planner and writes its plan; the planner is tested without a
database (tests/test_member_plan.py).

Choices this encodes:
- A case keeps at least one member: moving or removing its last member is refused (close the
  case, or merge it into the other, instead). An empty open case would have no principal, no
  name on the list and nobody to triage, and closing it silently would end work on it.
- When the principal leaves, the next member in the household's order becomes the principal,
  unless the request names one.
- A person already in the target household is not added twice; a person once removed from the
  target comes back on their old row (a person is a member of a case once).
- Nobody is moved into or out of a closed case: reopen it first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from django.utils.translation import gettext as _


class Action(StrEnum):
    ADD = "add"  # people (not yet members) into `source`
    REMOVE = "remove"  # people out of `source`
    MOVE = "move"  # people from `source` into `target`
    SPLIT = "split"  # people from `source` into a new case
    PRINCIPAL = "principal"  # mark one member of `source` the principal


@dataclass(frozen=True)
class Member:
    person_id: int
    relationship: str
    # Removed earlier by staff: the row exists but the person is not in the household.
    removed: bool = False


@dataclass(frozen=True)
class Household:
    """One case as the planner needs it: its members in order (removed ones included)."""

    case_id: int
    members: tuple[Member, ...]
    principal_id: int | None = None
    closed: bool = False

    def present(self) -> list[Member]:
        return [m for m in self.members if not m.removed]

    def has(self, person_id: int) -> bool:
        return any(m.person_id == person_id for m in self.present())


@dataclass(frozen=True)
class MoveRequest:
    action: Action
    people: tuple[int, ...]
    # For ADD: each person's relationship to the principal (default "other").
    relationships: tuple[tuple[int, str], ...] = ()
    # The principal the request names (for SPLIT: the new case's; for PRINCIPAL: the one).
    principal_id: int | None = None


@dataclass(frozen=True)
class Placement:
    person_id: int
    relationship: str
    # True: the target already has a (removed) row for this person, which comes back.
    reuse_row: bool = False


@dataclass(frozen=True)
class MovePlan:
    """What to write. `problems` non-empty means nothing is written."""

    problems: tuple[str, ...] = ()
    # Leave the source household (their rows get removed_at).
    leave: tuple[int, ...] = ()
    # Join the target household (the source itself for ADD, a new case for SPLIT).
    join: tuple[Placement, ...] = ()
    # None: unchanged.
    source_principal: int | None = None
    target_principal: int | None = None
    # People asked for who were already where they were asked to go: nothing to do for them.
    unchanged: tuple[int, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.problems


def _refused(*problems: str) -> MovePlan:
    return MovePlan(problems=tuple(problems))


def _next_principal(source: Household, leaving: set[int]) -> int | None:
    """Who leads the household after `leaving` go: the principal if they stay, else the first
    remaining member marked principal applicant, else the first remaining member."""
    staying = [m for m in source.present() if m.person_id not in leaving]
    if source.principal_id is not None and source.principal_id not in leaving:
        return None  # unchanged
    marked = next((m for m in staying if m.relationship == "principal"), None)
    chosen = marked or (staying[0] if staying else None)
    return chosen.person_id if chosen else None


def _leaving(source: Household, people: tuple[int, ...]) -> tuple[list[Member], list[str]]:
    chosen = list(dict.fromkeys(people))
    by_person = {m.person_id: m for m in source.present()}
    missing = [p for p in chosen if p not in by_person]
    problems = [_("Person %(id)s is not a member of this household.") % {"id": p} for p in missing]
    if not chosen:
        problems.append(_("Choose at least one member."))
    elif not missing and len(chosen) >= len(by_person):
        problems.append(
            _(
                "A case keeps at least one member: close this case, or merge it into the "
                "other, instead of moving everyone out."
            )
        )
    return [by_person[p] for p in chosen if p in by_person], problems


def _placements(
    target: Household | None, leaving: list[Member]
) -> tuple[list[Placement], list[int]]:
    rows = {m.person_id: m for m in target.members} if target else {}
    join, unchanged = [], []
    for member in leaving:
        row = rows.get(member.person_id)
        if row is not None and not row.removed:
            unchanged.append(member.person_id)  # already in the target household
            continue
        join.append(Placement(member.person_id, member.relationship, reuse_row=row is not None))
    return join, unchanged


def _add(source: Household, request: MoveRequest) -> MovePlan:
    relationships = dict(request.relationships)
    rows = {m.person_id: m for m in source.members}
    join, unchanged = [], []
    for person in dict.fromkeys(request.people):
        row = rows.get(person)
        if row is not None and not row.removed:
            unchanged.append(person)
            continue
        relationship = relationships.get(person) or (row.relationship if row else "other")
        join.append(Placement(person, relationship, reuse_row=row is not None))
    if not join:
        if unchanged:
            return _refused(_("That person is already a member of this household."))
        return _refused(_("Choose at least one person."))
    principal = None
    if source.principal_id is None or not source.present():
        principal = join[0].person_id  # an empty household's first member leads it
    return MovePlan(join=tuple(join), source_principal=principal, unchanged=tuple(unchanged))


def _principal(source: Household, request: MoveRequest) -> MovePlan:
    chosen = request.principal_id
    if chosen is None or not source.has(chosen):
        return _refused(_("The principal must be a member of this household."))
    if chosen == source.principal_id:
        return _refused(_("This person is already the principal."))
    return MovePlan(source_principal=chosen)


def member_moves_plan(
    *, source: Household, request: MoveRequest, target: Household | None = None
) -> MovePlan:
    """The rows that carry out `request` on `source` (and `target` for MOVE), or why not."""
    if source.closed:
        return _refused(_("This case is closed: reopen it before changing its household."))
    if request.action == Action.ADD:
        return _add(source, request)
    if request.action == Action.PRINCIPAL:
        return _principal(source, request)
    if request.action == Action.MOVE:
        if target is None:
            return _refused(_("Choose the case to move them to."))
        if target.case_id == source.case_id:
            return _refused(_("Choose another case: they are already in this one."))
        if target.closed:
            return _refused(_("The other case is closed: reopen it first."))
    leaving, problems = _leaving(source, request.people)
    chosen_principal = request.principal_id
    if (
        request.action == Action.SPLIT
        and chosen_principal is not None
        and chosen_principal not in {m.person_id for m in leaving}
    ):
        problems.append(_("The new case's principal must be one of the members it takes."))
    if problems:
        return _refused(*problems)
    leave = {m.person_id for m in leaving}
    source_principal = _next_principal(source, leave)
    if request.action == Action.REMOVE:
        return MovePlan(leave=tuple(sorted(leave)), source_principal=source_principal)
    if request.action == Action.SPLIT:
        join = [Placement(m.person_id, m.relationship) for m in leaving]
        lead = request.principal_id or next(
            (m.person_id for m in leaving if m.relationship == "principal"), leaving[0].person_id
        )
        return MovePlan(
            leave=tuple(sorted(leave)),
            join=tuple(join),
            source_principal=source_principal,
            target_principal=lead,
        )
    assert target is not None
    join, unchanged = _placements(target, leaving)
    target_principal = None
    if target.principal_id is None or not target.present():
        target_principal = leaving[0].person_id
    return MovePlan(
        leave=tuple(sorted(leave)),
        join=tuple(join),
        source_principal=source_principal,
        target_principal=target_principal,
        unchanged=tuple(unchanged),
    )
