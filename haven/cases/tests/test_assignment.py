"""Assigning cases: singly, in bulk, take next, my cases, caseloads and balancing."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.db import connection
from django.urls import reverse

from haven.accounts.models import Role, Team, User
from haven.audit.models import AuditEvent
from haven.cases import services_assignment
from haven.cases.models import Case, CaseEvent
from haven.conftest import PASSWORD
from haven.intake.models import Request

from .factories import make_request

pytestmark = pytest.mark.django_db
LIST = reverse("cases:list")


def _case(name: str = "Ahmad", **values: object) -> Case:
    created = make_request(given_name=name, father_name=f"{name} Father")
    case = Case.objects.get(case_requests__request=created.request)
    if values:
        Case.objects.filter(pk=case.pk).update(**values)
        case.refresh_from_db()
    return case


def _worker(username: str, role: str = Role.CASEWORKER) -> User:
    return User.objects.create_user(username=username, password=PASSWORD, role=role)


def test_it_assigns_a_case_to_a_caseworker_and_a_team_with_history_and_audit(
    client_for, supervisor, caseworker
):
    case = _case()
    team = Team.objects.create(name="SIV desk", kind="pathway", values=["siv_apply"])
    response = client_for(supervisor).post(
        reverse("cases:assign", args=[case.pk]),
        {"assignee": caseworker.pk, "assigned_team": team.pk},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.assignee, case.team) == (caseworker, team)
    event = CaseEvent.objects.get(case=case, kind="assigned")
    assert event.actor == supervisor
    audit = AuditEvent.objects.get(
        object_type="cases.case", object_id=str(case.pk), action="update"
    )
    assert audit.details["changes"]["assignee"] == [None, "caseworker"]
    page = client_for(supervisor).get(reverse("cases:detail", args=[case.pk]))
    assert "— → caseworker · SIV desk" in page.text


@pytest.mark.parametrize("persona", ["intake_officer", "partner_a", "outsider"])
def test_it_refuses_to_assign_to_someone_without_access_and_says_why(
    request, client_for, supervisor, persona
):
    target = request.getfixturevalue(persona)
    case = _case()
    response = client_for(supervisor).post(
        reverse("cases:assign", args=[case.pk]), {"assignee": target.pk}
    )
    assert response.status_code == 400
    assert "has no access to work on cases" in response.text
    case.refresh_from_db()
    assert case.assignee is None
    assert not CaseEvent.objects.filter(kind="assigned").exists()


def test_it_refuses_a_deactivated_or_unknown_assignee(client_for, supervisor):
    gone = _worker("gone")
    gone.is_active = False
    gone.save()
    case = _case()
    client = client_for(supervisor)
    url = reverse("cases:assign", args=[case.pk])
    assert "deactivated" in client.post(url, {"assignee": gone.pk}).text
    assert "There is no such user." in client.post(url, {"assignee": 999999}).text
    assert "Choose someone to assign to, or a team." in client.post(url, {}).text
    assert client.post(url, {"assignee": "x' OR 1=1"}).status_code == 400


@pytest.mark.parametrize("persona", ["intake_officer", "partner_a", "outsider"])
def test_only_caseworkers_and_supervisors_assign(request, client_for, caseworker, persona):
    case = _case()
    client = client_for(request.getfixturevalue(persona))
    single = client.post(reverse("cases:assign", args=[case.pk]), {"assignee": caseworker.pk})
    bulk = client.post(reverse("cases:assign_many"), {"case": [case.pk], "assignee": "none"})
    assert single.status_code in (403, 404) and bulk.status_code == 403
    assert client.post(reverse("cases:take_next")).status_code == 403
    case.refresh_from_db()
    assert case.assignee is None


def test_bulk_assignment_is_one_action_over_the_ticked_cases(client_for, supervisor, caseworker):
    cases = [_case(n) for n in ("Bashir", "Daud", "Farid")]
    client = client_for(supervisor)
    response = client.post(
        reverse("cases:assign_many"),
        {"case": [cases[0].pk, cases[1].pk], "assignee": caseworker.pk, "back": "status=new"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"{LIST}?status=new"
    assert set(Case.objects.filter(assignee=caseworker)) == {cases[0], cases[1]}
    audits = AuditEvent.objects.filter(object_type="cases.case", action="update")
    assert audits.count() == 2
    assert len({a.details["batch"] for a in audits}) == 1
    assert CaseEvent.objects.filter(kind="assigned").count() == 2


def test_a_refused_bulk_assignment_keeps_the_ticks(client_for, supervisor, intake_officer):
    cases = [_case(n) for n in ("Habib", "Jawad")]
    response = client_for(supervisor).post(
        reverse("cases:assign_many"), {"case": [cases[1].pk], "assignee": intake_officer.pk}
    )
    assert response.status_code == 400
    assert "has no access to work on cases" in response.text
    assert (
        f'value="{cases[1].pk}" form="bulk-assign" aria-label="Tick {cases[1].reference}" checked'
        in response.text
    )
    assert not Case.objects.filter(assignee__isnull=False).exists()
    nothing = client_for(supervisor).post(reverse("cases:assign_many"), {"assignee": "none"})
    assert nothing.status_code == 400 and "Tick the cases first." in nothing.text


def test_take_next_gives_the_most_urgent_unassigned_case_of_my_teams(client_for, caseworker):
    team = Team.objects.create(name="SIV", kind="pathway", values=["siv_apply"])
    team.members.add(caseworker)
    other = _case("Kabir", pathway="p2", priority=99)
    low = _case("Latif", pathway="siv_apply", priority=5)
    high = _case("Nabi", pathway="siv_apply", priority=50)
    _case("Rahim", pathway="siv_apply", priority=80, assignee=_worker("busy"))
    queued = _case("Sharif", pathway="p2", priority=40, team=team)
    client = client_for(caseworker)

    taken = [client.post(reverse("cases:take_next")) for _ in range(3)]
    assert [r["Location"] for r in taken] == [
        reverse("cases:detail", args=[c.pk]) for c in (high, queued, low)
    ]
    assert set(Case.objects.filter(assignee=caseworker)) == {high, queued, low}
    assert CaseEvent.objects.filter(kind="assigned", data__message="assigned_taken").count() == 3
    empty = client.post(reverse("cases:take_next"), follow=True)
    assert "Nothing is waiting in your teams" in empty.text
    other.refresh_from_db()
    assert other.assignee is None
    mine = client.get(reverse("cases:mine"), follow=True)
    assert "Nabi" in mine.text and "Kabir" not in mine.text


def test_take_next_matches_language_and_province_teams(client_for, caseworker):
    Team.objects.create(name="Pashto", kind="language", values=["ps"]).members.add(caseworker)
    case = _case("Zahir")
    _case("Other")  # no language given: not the team's
    Request.objects.filter(case_links__case=case).update(language="ps")
    response = client_for(caseworker).post(reverse("cases:take_next"))
    assert response["Location"] == reverse("cases:detail", args=[case.pk])


def test_take_next_says_so_when_i_am_in_no_team(client_for, caseworker):
    _case(pathway="siv_apply")
    response = client_for(caseworker).post(reverse("cases:take_next"), follow=True)
    assert "You are in no team yet" in response.text


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL only")
@pytest.mark.django_db(transaction=True)
def test_two_workers_taking_next_at_once_get_different_cases():
    team = Team.objects.create(name="SIV", kind="pathway", values=["siv_apply"])
    workers = [_worker("w1"), _worker("w2")]
    for w in workers:
        team.members.add(w)
    cases = {_case(n, pathway="siv_apply", priority=10).pk for n in ("Ahmad", "Bashir")}
    barrier = threading.Barrier(2)
    taken: list[int | None] = []

    def take(worker: User) -> None:
        from django.db import connections

        barrier.wait()
        case = services_assignment.case_take_next(actor=worker)
        taken.append(case.pk if case else None)
        connections.close_all()

    threads = [threading.Thread(target=take, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert set(taken) == cases


def test_supervisors_see_caseloads_and_balance_a_team_by_current_load(
    client_for, supervisor, caseworker
):
    team = Team.objects.create(name="Walk-in", kind="location", values=["Peshawar"])
    light = _worker("light")
    team.members.add(caseworker, light)
    with time_machine.travel(dt.datetime(2021, 8, 1, 9, tzinfo=dt.UTC)):
        for name in ("Ahmad", "Bashir"):
            _case(name, assignee=caseworker, pathway="siv_apply")
    with time_machine.travel(dt.datetime(2021, 9, 1, 9, tzinfo=dt.UTC)):
        new = [_case(n, priority=p) for n, p in (("Daud", 1), ("Farid", 9), ("Habib", 5))]
        client = client_for(supervisor)
        loads = client.get(reverse("cases:caseloads"), {"team": team.pk})
        assert loads.status_code == 200
        assert '<td data-label="Open cases">2</td>' in loads.text
        assert '<td data-label="Oldest open case (days)">31</td>' in loads.text
        response = client.post(
            reverse("cases:assign_many"),
            {"case": [c.pk for c in new], "balance": "1", "balance_team": team.pk},
        )
    assert response.status_code == 302
    by_pk = {c.pk: Case.objects.get(pk=c.pk).assignee for c in new}
    # light (0) takes the most urgent (Farid, 9), then Habib (5): light 2 = caseworker 2; Daud
    # goes by name to caseworker.
    assert by_pk == {new[1].pk: light, new[2].pk: light, new[0].pk: caseworker}
    assert all(Case.objects.get(pk=c.pk).team == team for c in new)
    assert CaseEvent.objects.filter(data__message="assigned_balanced").count() == 3


@pytest.mark.parametrize("persona", ["caseworker", "intake_officer", "partner_a"])
def test_caseloads_are_for_supervisors(request, client_for, persona):
    assert (
        client_for(request.getfixturevalue(persona)).get(reverse("cases:caseloads")).status_code
        == 403
    )


def test_a_caseworker_cannot_balance(client_for, caseworker):
    team = Team.objects.create(name="T", kind="pathway", values=[])
    case = _case()
    response = client_for(caseworker).post(
        reverse("cases:assign_many"), {"case": [case.pk], "balance": "1", "balance_team": team.pk}
    )
    assert response.status_code == 400
    assert "Only a supervisor can share cases among a team." in response.text
