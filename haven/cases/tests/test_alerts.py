"""Alerts: a task past its due date or a case past its pathway's target raises one alert to
the assignee and the case's supervisors, at the right moment and only once; the alerts page,
the menu's count, the caseloads' overdue tasks and the e-mail digest."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from haven.accounts.models import Organization, Role, Team, User
from haven.cases import registry
from haven.cases.alerts import alerts_raise, digests_send
from haven.cases.models import Alert, AlertBreach, AlertPreference, Case, Task
from haven.cases.services_tasks import alert_preference_set, task_create
from haven.common import periodic

from .factories import make_request

pytestmark = pytest.mark.django_db

KABUL = ZoneInfo("Asia/Karachi")  # settings.TIME_ZONE's default
MONDAY = dt.datetime(2026, 3, 2, 9, 0, tzinfo=KABUL)


def _case(assignee: User | None = None, team: Team | None = None) -> Case:
    case = make_request(given_name="Shabnam").request.case_links.get().case
    case.assignee, case.team = assignee, team
    case.save(update_fields=["assignee", "team"])
    return case


def _other_supervisor(org: Organization, name: str = "sup2") -> User:
    return User.objects.create_user(username=name, role=Role.SUPERVISOR, organization=org)


def test_a_task_raises_one_alert_the_day_after_its_due_date(caseworker, supervisor):
    with time_machine.travel(MONDAY, tick=False):
        case = _case(assignee=caseworker)
        task_create(
            case=case,
            actor=caseworker,
            title="Ask for the letter",
            due_date=dt.date(2026, 3, 3),
        )
    # On the due day it is not late yet.
    with time_machine.travel(dt.datetime(2026, 3, 3, 23, 59, tzinfo=KABUL), tick=False):
        assert alerts_raise() == (0, 0)
    with time_machine.travel(dt.datetime(2026, 3, 4, 0, 1, tzinfo=KABUL), tick=False):
        assert alerts_raise() == (1, 2)
        # Every tick after that raises nothing more.
        assert alerts_raise() == (0, 0)
        periodic.run_all(only={"cases.alerts"})
    assert AlertBreach.objects.count() == 1
    breach = AlertBreach.objects.get()
    assert (breach.kind, breach.due_date) == ("task_overdue", dt.date(2026, 3, 3))
    assert set(Alert.objects.values_list("user__username", flat=True)) == {
        caseworker.username,
        supervisor.username,
    }


def test_a_new_due_date_is_a_new_breach(caseworker, supervisor):
    with time_machine.travel(MONDAY, tick=False):
        case = _case(assignee=caseworker)
        task = task_create(case=case, actor=caseworker, title="Call", due_date=dt.date(2026, 3, 2))
    with time_machine.travel(MONDAY + dt.timedelta(days=1), tick=False):
        assert alerts_raise()[0] == 1
        Task.objects.filter(pk=task.pk).update(due_date=dt.date(2026, 3, 5))
        assert alerts_raise()[0] == 0
    with time_machine.travel(MONDAY + dt.timedelta(days=4), tick=False):
        assert alerts_raise()[0] == 1


def test_a_done_task_raises_nothing(caseworker, supervisor):
    from haven.cases.services_tasks import task_close

    with time_machine.travel(MONDAY, tick=False):
        case = _case(assignee=caseworker)
        task = task_create(case=case, actor=caseworker, title="Call", due_date=dt.date(2026, 3, 2))
        task_close(task=task, actor=caseworker, status="done")
    with time_machine.travel(MONDAY + dt.timedelta(days=3), tick=False):
        assert alerts_raise() == (0, 0)


def test_the_alert_goes_to_the_task_assignee_and_the_team_supervisor(
    task_force, caseworker, supervisor
):
    other = _other_supervisor(task_force)
    team = Team.objects.create(name="Pashto desk", kind=Team.Kind.LANGUAGE, values=["ps"])
    team.members.add(other, caseworker)
    helper = User.objects.create_user(username="helper", role=Role.CASEWORKER)
    with time_machine.travel(MONDAY, tick=False):
        case = _case(assignee=caseworker, team=team)
        task_create(
            case=case, actor=caseworker, title="Call", assignee=helper, due_date=dt.date(2026, 3, 2)
        )
    with time_machine.travel(MONDAY + dt.timedelta(days=1), tick=False):
        alerts_raise()
    # The task's own assignee, not the case's; the team's supervisor, not every supervisor.
    assert set(Alert.objects.values_list("user__username", flat=True)) == {"helper", "sup2"}


def test_a_case_over_its_pathway_target_raises_one_alert(caseworker, supervisor, monkeypatch):
    monkeypatch.setattr(registry, "_targets", [lambda: {"p1": 21}])
    with time_machine.travel(MONDAY, tick=False):
        case = _case(assignee=caseworker)
        Case.objects.filter(pk=case.pk).update(pathway="p1")
    with time_machine.travel(MONDAY + dt.timedelta(days=21), tick=False):
        assert alerts_raise() == (0, 0)
    with time_machine.travel(MONDAY + dt.timedelta(days=22), tick=False):
        assert alerts_raise() == (1, 2)
        assert alerts_raise() == (0, 0)
    breach = AlertBreach.objects.get()
    assert (breach.kind, breach.target_days, breach.pathway) == ("case_over_target", 21, "p1")
    # A closed case raises nothing; a new pathway over its target is a new breach.
    monkeypatch.setattr(registry, "_targets", [lambda: {"p1": 21, "p2": 7}])
    Case.objects.filter(pk=case.pk).update(pathway="p2")
    with time_machine.travel(MONDAY + dt.timedelta(days=23), tick=False):
        assert alerts_raise()[0] == 1
    Case.objects.filter(pk=case.pk).update(status="closed", pathway="p1")
    AlertBreach.objects.filter(pathway="p1").delete()
    with time_machine.travel(MONDAY + dt.timedelta(days=24), tick=False):
        assert alerts_raise() == (0, 0)


def test_the_jobs_are_registered():
    names = {job.name for job in periodic.jobs()}
    assert {"cases.alerts", "cases.alerts_digest"} <= names


def _raise_two(caseworker: User) -> Case:
    with time_machine.travel(MONDAY, tick=False):
        case = _case(assignee=caseworker)
        for title in ("Call Shabnam's brother", "Ask for the contract"):
            task_create(case=case, actor=caseworker, title=title, due_date=dt.date(2026, 3, 2))
    with time_machine.travel(MONDAY + dt.timedelta(days=1), tick=False):
        alerts_raise()
    return case


def test_the_alerts_page_and_the_menu_count(client_for, caseworker, supervisor, intake_officer):
    case = _raise_two(caseworker)
    client = client_for(caseworker)
    page = client.get("/cases/alerts/").content.decode()
    assert page.count(case.reference) == 2
    # The date stays left-to-right in a Dari sentence too (Unicode isolates around it).
    assert "\u20662026-03-02\u2069" in page
    page = page.replace("\u2066", "").replace("\u2069", "")
    assert "A task was due on 2026-03-02 and is not done." in page
    assert 'id="alert-count">2<' in page
    response = client.post("/cases/alerts/read/")
    assert response.status_code == 302
    assert not Alert.objects.filter(user=caseworker, read_at__isnull=True).exists()
    assert 'id="alert-count"' not in client.get("/cases/").content.decode()
    # The supervisor's are their own, still unread; an intake officer has none.
    assert Alert.objects.filter(user=supervisor, read_at__isnull=True).count() == 2
    assert case.reference not in client_for(intake_officer).get("/cases/alerts/").content.decode()


def test_a_partner_has_no_alerts_page(client_for, partner_a):
    assert client_for(partner_a).get("/cases/alerts/").status_code == 403


def test_the_alerts_page_takes_a_fixed_number_of_queries(
    client_for, caseworker, supervisor, django_assert_max_num_queries
):
    _raise_two(caseworker)
    client = client_for(caseworker)
    client.get("/cases/alerts/")
    with django_assert_max_num_queries(8):
        client.get("/cases/alerts/")
    for _ in range(3):
        _raise_two(caseworker)
    # Session, user, device, count, page, unread count, preference: not one per alert.
    with django_assert_max_num_queries(8):
        assert client.get("/cases/alerts/").content.decode().count("C-") >= 8


def test_caseloads_show_overdue_tasks(
    client_for, caseworker, supervisor, django_assert_max_num_queries
):
    _raise_two(caseworker)
    client = client_for(supervisor)
    client.get("/cases/caseloads/")
    with (
        time_machine.travel(MONDAY + dt.timedelta(days=1), tick=False),
        django_assert_max_num_queries(12),
    ):
        page = client.get("/cases/caseloads/").content.decode()
    assert "Overdue tasks" in page
    row = page.split(f">{caseworker}</a>")[1].split("</tr>")[0]
    assert row.rstrip().endswith('<td data-label="Overdue tasks">2</td>')


def test_the_digest_is_one_email_per_user_with_references_only(
    caseworker, supervisor, django_capture_on_commit_callbacks
):
    caseworker.email = "cw@example.org"
    caseworker.save(update_fields=["email"])
    supervisor.email = "sup@example.org"
    supervisor.save(update_fields=["email"])
    alert_preference_set(user=caseworker, email_digest=True)
    case = _raise_two(caseworker)
    mail.outbox.clear()
    # Before the digest hour (07:00 local), nothing.
    with time_machine.travel(dt.datetime(2026, 3, 3, 6, 30, tzinfo=KABUL), tick=False):
        assert digests_send() == 0
    with time_machine.travel(dt.datetime(2026, 3, 3, 7, 5, tzinfo=KABUL), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert digests_send() == 1
        # Once a day: the next tick sends nothing.
        assert digests_send() == 0
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["cw@example.org"] and not message.cc and not message.bcc
    assert message.body.count(case.reference) == 2
    assert "due on 2026-03-02" in message.body
    # No names, no task titles: those stay in the application.
    for personal in ("Shabnam", "brother", "contract"):
        assert personal not in message.body and personal not in message.subject
    # The supervisor did not ask for e-mail.
    assert AlertPreference.objects.filter(user=supervisor).first() is None
    # Alerts sent are not sent again the next day.
    with (
        time_machine.travel(dt.datetime(2026, 3, 4, 8, 0, tzinfo=KABUL), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        digests_send()
    assert len(mail.outbox) == 1


def test_the_preference_is_set_on_the_alerts_page(client_for, caseworker):
    client = client_for(caseworker)
    response = client.post("/cases/alerts/preference/", {"email_digest": "on"})
    assert response.status_code == 302
    assert AlertPreference.objects.get(user=caseworker).email_digest is True
    client.post("/cases/alerts/preference/", {})
    assert AlertPreference.objects.get(user=caseworker).email_digest is False
