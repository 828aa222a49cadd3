"""Case membership follows resolution (registered in resolution.services.people_changed_handlers by cases/apps.py).

Resolution may not import cases, so it describes what it did to people in a
`PeopleChange` and calls `people_changed` inside its own transaction:

- Person A merged into B (a merge, a reviewer's "same", a batch run): every case
  member pointing at A points at B. Where B is already a member of that case, A's
  row is folded into B's instead: kept, pointing at A, out of the household, so
  there is never a second row for one person.
- A batch run that moves some of a person's records elsewhere: a case whose
  requests name a moved record gets the record's new person as a member; the old
  person's row follows them only when none of the case's records is theirs any more.
- Undoing a merge undoes exactly what it changed, as recorded in CaseMemberChange.

Every affected case gets an event saying what happened, and every open case that
now shares a person with another open case gets a "possible duplicate case" event
(the case page also shows the live notice, with a supervisor's merge action).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from django.db.models import Q
from django.utils import timezone

from haven.common.iterables import chunked
from haven.intake.models import PersonRecord
from haven.resolution.models import Person, PersonLink
from haven.resolution.services import MergedPair, PeopleChange, RecordMove

from .models import Case, CaseEvent, CaseMember, CaseMemberChange, CaseRequest

if TYPE_CHECKING:
    from haven.accounts.models import User

# IN-lists stay below every database's parameter limit, and a batch run's change (many
# thousands of records) is read in a fixed number of statements per chunk.
CHUNK = 2000
T = TypeVar("T")


def _read(ids: Iterable[int], query: Callable[[list[int]], Iterable[T]]) -> list[T]:
    return [row for chunk in chunked(sorted(set(ids)), CHUNK) for row in query(chunk)]


def people_changed(*, change: PeopleChange, actor: User | None) -> None:
    """The handler resolution calls (see haven.resolution.services.people_changed_notify)."""
    if change.edited:
        _edits_record(change, actor)
    if change.unmerged:
        # An unmerge's moves are exactly the undoing of the changes its merge recorded.
        for pair in change.unmerged:
            _merge_undo(pair, actor=actor, reason=change.reason)
        return
    if change.moved or change.merged:
        _Follow(change, actor).run()


_FIELDS = {
    "names": "names",
    "date_of_birth": "date of birth",
    "sex": "sex",
    "identifiers": "identifiers",
}


def _edits_record(change: PeopleChange, actor: User | None) -> None:
    """A corrected record: a line in the history of every case the person is a member of."""
    people = {edit.person_id for edit in change.edited}
    cases_of: dict[int, list[int]] = defaultdict(list)
    for person_id, case_id in CaseMember.objects.filter(
        person_id__in=people, merged_into__isnull=True
    ).values_list("person_id", "case_id"):
        cases_of[person_id].append(case_id)
    names = dict(Person.objects.filter(pk__in=people).values_list("pk", "display_name"))
    events = []
    for edit in change.edited:
        fields = ", ".join(_FIELDS.get(f, f) for f in edit.changed)
        who = f"{names.get(edit.person_id, '')} (person {edit.person_id})".strip()
        for case_id in cases_of[edit.person_id]:
            events.append(
                CaseEvent(
                    case_id=case_id,
                    kind=CaseEvent.Kind.PERSON_EDITED,
                    actor=actor,
                    description=f"Record of {who} corrected (version {edit.version}): {fields}",
                    data={
                        "message": "person_edited",
                        "people": [edit.person_id],
                        "version": edit.version,
                        "fields": list(edit.changed),
                        "record": edit.record_id,
                    },
                )
            )
    CaseEvent.objects.bulk_create(events)


@dataclass
class _Follow:
    change: PeopleChange
    actor: User | None
    names: dict[int, str] = field(default_factory=dict)
    # (case, person) -> a member row of that person in that case, folded or not.
    rows: dict[tuple[int, int], CaseMember] = field(default_factory=dict)
    by_id: dict[int, CaseMember] = field(default_factory=dict)
    changed_members: dict[int, CaseMember] = field(default_factory=dict)
    new_members: list[tuple[CaseMember, CaseMemberChange]] = field(default_factory=list)
    changes: list[CaseMemberChange] = field(default_factory=list)
    principals: dict[int, Case] = field(default_factory=dict)
    lines: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    # The same lines as data (people by id), rendered in the reader's language when read.
    data_lines: dict[int, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    survivors: set[int] = field(default_factory=set)

    def run(self) -> None:
        merge_of = {p.source_id: p.merge_id for p in self.change.merged}
        moves: dict[int, list[RecordMove]] = defaultdict(list)
        for move in self.change.moved:
            if move.from_person_id is not None and move.from_person_id != move.to_person_id:
                moves[move.from_person_id].append(move)
        # A merged person with no records still takes their memberships along.
        fallback = {p.source_id: p.target_id for p in self.change.merged}
        # Lock the members that may move: two changes at once must not both move one row
        # (the second would record a move from a person the row no longer points at).
        # FOR UPDATE, not NO KEY: a move changes person_id, part of the members' unique
        # (case, person) key.
        members = _read(
            set(moves) | set(fallback),
            lambda ids: (
                CaseMember.objects.select_for_update(of=("self",))
                .filter(person_id__in=ids, merged_into__isnull=True)
                .select_related("case")
                .order_by("id")
            ),
        )
        if not members:
            return
        case_ids = {m.case_id for m in members}
        requests_of: dict[int, set[int]] = defaultdict(set)
        for case_id, request_id in _read(
            case_ids,
            lambda ids: CaseRequest.objects.filter(case_id__in=ids).values_list(
                "case_id", "request_id"
            ),
        ):
            requests_of[case_id].add(request_id)
        member_people = {m.person_id for m in members}
        moved_records = {mv.record_id for p in member_people for mv in moves.get(p, [])}
        record_info = {
            pk: (request_id, relationship)
            for pk, request_id, relationship in _read(
                moved_records,
                lambda ids: PersonRecord.objects.filter(pk__in=ids).values_list(
                    "pk", "request_id", "relationship"
                ),
            )
        }
        # Where each person's records are now, after the change.
        remaining: dict[int, set[int]] = defaultdict(set)
        for person_id, request_id in _read(
            member_people,
            lambda ids: PersonLink.objects.filter(
                person_id__in=ids, ended_at__isnull=True
            ).values_list("person_id", "person_record__request_id"),
        ):
            remaining[person_id].add(request_id)
        for row in _read(case_ids, lambda ids: CaseMember.all_rows.filter(case_id__in=ids)):
            self.rows[(row.case_id, row.person_id)] = row
            self.by_id[row.pk] = row
        for member in members:
            # The locked instance, with its case.
            self.rows[(member.case_id, member.person_id)] = member
            self.by_id[member.pk] = member
        people = member_people | {mv.to_person_id for p in member_people for mv in moves[p]}
        self.names = dict(
            _read(
                people,
                lambda ids: Person.objects.filter(pk__in=ids).values_list("pk", "display_name"),
            )
        )
        for member in members:
            person = member.person_id
            in_case = requests_of[member.case_id]
            here = [mv for mv in moves.get(person, []) if record_info[mv.record_id][0] in in_case]
            targets = Counter(mv.to_person_id for mv in here)
            if not targets and not remaining[person]:
                targets = Counter(mv.to_person_id for mv in moves.get(person, []))
                if not targets and person in fallback:
                    targets = Counter([fallback[person]])
            if not targets:
                continue
            ordered = [p for p, _ in sorted(targets.items(), key=lambda pc: (-pc[1], pc[0]))]
            merge_id = merge_of.get(person)
            if not remaining[person] & in_case:
                self._repoint(member, ordered[0], merge_id)
                ordered = ordered[1:]
            for other in ordered:
                relationship = next(
                    (record_info[mv.record_id][1] for mv in here if mv.to_person_id == other),
                    member.relationship,
                )
                self._add(member, other, relationship, merge_id)
        self._write(merge_of)

    def _who(self, person_id: int) -> str:
        name = self.names.get(person_id, "")
        return f"{name} (person {person_id})" if name else f"person {person_id}"

    def _active(self, row: CaseMember) -> CaseMember:
        while row.merged_into_id is not None and row.merged_into_id in self.by_id:
            row = self.by_id[row.merged_into_id]
        return row

    def _repoint(self, member: CaseMember, to: int, merge_id: int | None) -> None:
        case, source = member.case, member.person_id
        existing = self.rows.get((member.case_id, to))
        if existing is None:
            del self.rows[(member.case_id, source)]
            member.person_id = to
            self.rows[(member.case_id, to)] = member
            kind = CaseMemberChange.Kind.REPOINTED
            said = f"{self._who(source)} is now {self._who(to)}"
            line = {"t": "repointed", "from": source, "to": to}
        else:
            member.merged_into = self._active(existing)
            kind = CaseMemberChange.Kind.FOLDED
            said = f"{self._who(source)} is now {self._who(to)}, already a member"
            line = {"t": "folded", "from": source, "to": to}
        self.changed_members[member.pk] = member
        principal_moved = case.principal_id == source
        if principal_moved:
            case.principal_id = to
            self.principals[case.pk] = case
        self.changes.append(
            CaseMemberChange(
                member=member,
                kind=kind,
                from_person_id=source,
                to_person_id=to,
                merge_id=merge_id,
                principal_moved=principal_moved,
                reason=self.change.reason[:300],
                created_by=self.actor,
            )
        )
        self.lines[member.case_id].append(said)
        self.data_lines[member.case_id].append(line)
        self.survivors.add(to)

    def _add(self, member: CaseMember, to: int, relationship: str, merge_id: int | None) -> None:
        if (member.case_id, to) in self.rows:
            return
        row = CaseMember(case_id=member.case_id, person_id=to, relationship=relationship)
        self.rows[(member.case_id, to)] = row
        change = CaseMemberChange(
            kind=CaseMemberChange.Kind.ADDED,
            from_person_id=member.person_id,
            to_person_id=to,
            merge_id=merge_id,
            reason=self.change.reason[:300],
            created_by=self.actor,
        )
        self.new_members.append((row, change))
        self.lines[member.case_id].append(
            f"{self._who(to)} added: a record of this case moved to them from "
            f"{self._who(member.person_id)}"
        )
        self.data_lines[member.case_id].append({"t": "added", "from": member.person_id, "to": to})
        self.survivors.add(to)

    def _write(self, merge_of: dict[int, int]) -> None:
        # New rows first: a member may have been folded into one made in this same change.
        CaseMember.objects.bulk_create([row for row, _ in self.new_members], batch_size=CHUNK)
        CaseMember.all_rows.bulk_update(
            self.changed_members.values(), ["person", "merged_into"], batch_size=CHUNK
        )
        for row, change in self.new_members:
            change.member = row
            self.changes.append(change)
        CaseMemberChange.objects.bulk_create(self.changes, batch_size=CHUNK)
        now = timezone.now()
        for case in self.principals.values():
            case.updated_at = now
        Case.objects.bulk_update(
            self.principals.values(), ["principal", "updated_at"], batch_size=CHUNK
        )
        kind = CaseEvent.Kind.PEOPLE_MERGED if merge_of else CaseEvent.Kind.PEOPLE_RELINKED
        why = f" ({self.change.reason})" if self.change.reason else ""
        events = [
            CaseEvent(
                case_id=case_id,
                kind=kind,
                actor=self.actor,
                description=_clip("; ".join(lines) + why),
                data={
                    "message": "people_changed",
                    "lines": self.data_lines[case_id],
                    "reason": self.change.reason,
                },
            )
            for case_id, lines in sorted(self.lines.items())
        ]
        events += duplicate_events(self.survivors, actor=self.actor, names=self.names)
        CaseEvent.objects.bulk_create(events, batch_size=CHUNK)


def _clip(text: str, limit: int = 500) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def duplicate_events(
    people: Iterable[int], *, actor: User | None, names: dict[int, str] | None = None
) -> list[CaseEvent]:
    """A "possible duplicate case" event for every open case that shares one of these people
    with another open case, naming the other cases."""
    open_cases: dict[int, set[int]] = defaultdict(set)
    for person_id, case_id in _read(
        people,
        lambda ids: (
            CaseMember.objects.filter(person_id__in=ids, merged_into__isnull=True)
            .exclude(case__status=Case.Status.CLOSED)
            .values_list("person_id", "case_id")
        ),
    ):
        open_cases[person_id].add(case_id)
    others: dict[int, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
    for person_id, case_ids in open_cases.items():
        if len(case_ids) < 2:
            continue
        for case_id in case_ids:
            for other in case_ids - {case_id}:
                others[case_id][other].add(person_id)
    names = names or {}
    events = []
    for case_id, shared in sorted(others.items()):
        parts = []
        cases_data = []
        for other, people_ids in sorted(shared.items()):
            cases_data.append({"case": Case(pk=other).reference, "people": sorted(people_ids)})
            who = ", ".join(
                f"{names[p]} (person {p})" if names.get(p) else f"person {p}"
                for p in sorted(people_ids)
            )
            parts.append(f"{Case(pk=other).reference}, which also has {who}")
        events.append(
            CaseEvent(
                case_id=case_id,
                kind=CaseEvent.Kind.POSSIBLE_DUPLICATE,
                actor=actor,
                description=_clip("Possible duplicate case: " + "; ".join(parts)),
                data={"message": "possible_duplicate", "cases": cases_data},
            )
        )
    return events


def _merge_undo(pair: MergedPair, *, actor: User | None, reason: str) -> None:
    # Lock the recorded changes: undoing one merge twice at once must not restore twice
    # (person_unmerge also locks the merge itself).
    # No key of the locked rows changes (no delete, no unique column): FOR NO KEY UPDATE
    # on PostgreSQL, which does not hold up inserts of rows referencing them.
    changes = list(
        CaseMemberChange.objects.select_for_update(no_key=True, of=("self",))
        .filter(merge_id=pair.merge_id, undone_at__isnull=True)
        .select_related("member__case")
        .order_by("-id")
    )
    if not changes:
        return
    now = timezone.now()
    lines: dict[int, list[str]] = defaultdict(list)
    data_lines: dict[int, list[dict[str, Any]]] = defaultdict(list)
    cases: dict[int, Case] = {}
    members: dict[int, CaseMember] = {}
    for change in changes:
        member = members.setdefault(change.member_id, change.member)
        case = cases.setdefault(member.case_id, member.case)
        if change.kind == CaseMemberChange.Kind.REPOINTED:
            member.person_id = change.from_person_id
        elif change.kind == CaseMemberChange.Kind.FOLDED:
            member.merged_into = None
        # ADDED rows are kept: the person was named by a record of the case, and is still.
        if change.principal_moved and case.principal_id == change.to_person_id:
            case.principal_id = change.from_person_id
        change.undone_at, change.undone_by = now, actor
        lines[case.pk].append(f"person {change.from_person_id} is a member of their own again")
        data_lines[case.pk].append({"t": "own_again", "from": change.from_person_id})
    CaseMember.all_rows.bulk_update(members.values(), ["person", "merged_into"])
    CaseMemberChange.objects.bulk_update(changes, ["undone_at", "undone_by"])
    for case in cases.values():
        case.updated_at = now
    Case.objects.bulk_update(cases.values(), ["principal", "updated_at"])
    why = f" ({reason})" if reason else ""
    events = [
        CaseEvent(
            case_id=case_id,
            kind=CaseEvent.Kind.PEOPLE_UNMERGED,
            actor=actor,
            description=_clip(
                f"Merge of person {pair.source_id} into person {pair.target_id} undone: "
                + "; ".join(dict.fromkeys(case_lines))
                + why
            ),
            data={
                "message": "people_unmerged",
                "source": pair.source_id,
                "target": pair.target_id,
                "lines": data_lines[case_id],
                "reason": reason,
            },
        )
        for case_id, case_lines in sorted(lines.items())
    ]
    events += _carry_into_merged_cases(
        [m for m in members.values() if m.merged_into_id is None], cases, actor=actor
    )
    CaseEvent.objects.bulk_create(events)


def _carry_into_merged_cases(
    restored: list[CaseMember], cases: dict[int, Case], *, actor: User | None
) -> list[CaseEvent]:
    """A restored member of a case merged since into another follows into that case too,
    so the household the source case described is still whole in the open one."""
    events = []
    for member in restored:
        case = cases[member.case_id]
        seen = {case.pk}
        final = case
        while final.merged_into_id is not None and final.merged_into_id not in seen:
            seen.add(final.merged_into_id)
            final = Case.objects.get(pk=final.merged_into_id)
        if final.pk == case.pk:
            continue
        if CaseMember.objects.filter(Q(case=final) & Q(person_id=member.person_id)).exists():
            continue
        row = CaseMember.objects.create(
            case=final, person_id=member.person_id, relationship=member.relationship
        )
        CaseMemberChange.objects.create(
            member=row,
            kind=CaseMemberChange.Kind.ADDED,
            from_person_id=member.person_id,
            to_person_id=member.person_id,
            reason=f"restored in {case.reference}, which was merged into {final.reference}",
            created_by=actor,
        )
        events.append(
            CaseEvent(
                case=final,
                kind=CaseEvent.Kind.PEOPLE_UNMERGED,
                actor=actor,
                description=f"Person {member.person_id} added: restored in {case.reference}, "
                f"merged into this case",
                data={
                    "message": "person_restored",
                    "person": member.person_id,
                    "case": case.reference,
                },
            )
        )
    return events
