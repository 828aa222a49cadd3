"""The household planner is a pure function: these tests run without a database."""

from __future__ import annotations

from haven.cases.member_plan import Action, Household, Member, MoveRequest, member_moves_plan


def _household(*people: int, case_id: int = 1, principal: int | None = None, **kw) -> Household:
    members = tuple(
        Member(p, "principal" if i == 0 else "child", removed=p in kw.get("removed", ()))
        for i, p in enumerate(people)
    )
    return Household(
        case_id=case_id,
        members=members,
        principal_id=principal if principal is not None else (people[0] if people else None),
        closed=kw.get("closed", False),
    )


def test_it_moves_the_chosen_members_and_keeps_the_principal():
    plan = member_moves_plan(
        source=_household(10, 11, 12),
        target=_household(20, case_id=2),
        request=MoveRequest(Action.MOVE, (11, 12)),
    )
    assert plan.ok
    assert plan.leave == (11, 12)
    assert [p.person_id for p in plan.join] == [11, 12]
    assert plan.source_principal is None  # 10 stays the principal
    assert plan.target_principal is None  # 20 stays the principal


def test_it_refuses_to_move_the_last_member_out():
    plan = member_moves_plan(
        source=_household(10),
        target=_household(20, case_id=2),
        request=MoveRequest(Action.MOVE, (10,)),
    )
    assert not plan.ok
    assert "at least one member" in plan.problems[0]
    assert plan.leave == () and plan.join == ()


def test_it_refuses_to_remove_everyone():
    plan = member_moves_plan(
        source=_household(10, 11), request=MoveRequest(Action.REMOVE, (10, 11))
    )
    assert not plan.ok


def test_a_new_principal_is_chosen_when_the_principal_leaves():
    plan = member_moves_plan(
        source=_household(10, 11, 12), request=MoveRequest(Action.REMOVE, (10,))
    )
    assert plan.ok
    assert plan.source_principal == 11


def test_it_refuses_someone_who_is_not_a_member():
    plan = member_moves_plan(source=_household(10, 11), request=MoveRequest(Action.REMOVE, (99,)))
    assert plan.problems == ("Person 99 is not a member of this household.",)


def test_a_removed_member_is_not_a_member():
    plan = member_moves_plan(
        source=_household(10, 11, 12, removed=(12,)), request=MoveRequest(Action.REMOVE, (12,))
    )
    assert not plan.ok


def test_adding_back_a_removed_member_reuses_their_row():
    plan = member_moves_plan(
        source=_household(10, 11, removed=(11,)),
        request=MoveRequest(Action.ADD, (11, 12), relationships=((12, "spouse"),)),
    )
    assert plan.ok
    assert [(p.person_id, p.relationship, p.reuse_row) for p in plan.join] == [
        (11, "child", True),
        (12, "spouse", False),
    ]


def test_adding_someone_already_there_is_refused():
    plan = member_moves_plan(source=_household(10, 11), request=MoveRequest(Action.ADD, (11,)))
    assert plan.problems == ("That person is already a member of this household.",)


def test_a_person_already_in_the_target_is_not_added_twice():
    plan = member_moves_plan(
        source=_household(10, 11),
        target=_household(20, 11, case_id=2),
        request=MoveRequest(Action.MOVE, (11,)),
    )
    assert plan.ok
    assert plan.leave == (11,)
    assert plan.join == ()
    assert plan.unchanged == (11,)


def test_a_person_removed_from_the_target_comes_back_on_their_row():
    plan = member_moves_plan(
        source=_household(10, 11),
        target=_household(20, 11, case_id=2, removed=(11,)),
        request=MoveRequest(Action.MOVE, (11,)),
    )
    assert [(p.person_id, p.reuse_row) for p in plan.join] == [(11, True)]


def test_split_names_the_new_principal():
    plan = member_moves_plan(
        source=_household(10, 11, 12),
        request=MoveRequest(Action.SPLIT, (11, 12), principal_id=12),
    )
    assert plan.ok
    assert plan.target_principal == 12
    assert [p.person_id for p in plan.join] == [11, 12]


def test_split_principal_must_go_with_the_new_case():
    plan = member_moves_plan(
        source=_household(10, 11, 12),
        request=MoveRequest(Action.SPLIT, (11,), principal_id=10),
    )
    assert not plan.ok


def test_closed_cases_are_not_changed():
    closed = member_moves_plan(
        source=_household(10, 11, closed=True), request=MoveRequest(Action.REMOVE, (11,))
    )
    assert not closed.ok
    into_closed = member_moves_plan(
        source=_household(10, 11),
        target=_household(20, case_id=2, closed=True),
        request=MoveRequest(Action.MOVE, (11,)),
    )
    assert not into_closed.ok


def test_moving_into_the_same_case_is_refused():
    plan = member_moves_plan(
        source=_household(10, 11),
        target=_household(10, 11),
        request=MoveRequest(Action.MOVE, (11,)),
    )
    assert not plan.ok


def test_marking_the_principal():
    assert (
        member_moves_plan(
            source=_household(10, 11), request=MoveRequest(Action.PRINCIPAL, (11,), principal_id=11)
        ).source_principal
        == 11
    )
    assert not member_moves_plan(
        source=_household(10, 11), request=MoveRequest(Action.PRINCIPAL, (99,), principal_id=99)
    ).ok
