"""Tasks on a case: made and done on the case page (htmx, or plain forms), audited, in the
history; bad input refused with a clear message and nothing lost."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from haven.audit.models import AuditEvent
from haven.cases.models import Case, CaseEvent, Task

from .factories import make_request

pytestmark = pytest.mark.django_db


def _case() -> Case:
    return make_request(given_name="Nasima").request.case_links.get().case


def _tomorrow() -> str:
    return (timezone.localdate() + dt.timedelta(days=1)).isoformat()


def test_a_caseworker_adds_a_task_without_javascript(client_for, caseworker, supervisor):
    case = _case()
    response = client_for(caseworker).post(
        f"/cases/{case.pk}/tasks/",
        {
            "title": "Call the family about the letter",
            "assignee": supervisor.pk,
            "due_date": _tomorrow(),
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"/cases/{case.pk}/#tasks")
    task = Task.objects.get(case=case)
    assert (task.title, task.assignee, task.status) == (
        "Call the family about the letter",
        supervisor,
        Task.Status.OPEN,
    )
    assert task.due_date == timezone.localdate() + dt.timedelta(days=1)
    audit = AuditEvent.objects.get(object_type="cases.task", action="create")
    assert audit.actor == caseworker
    assert audit.details["assignee"] == supervisor.username
    event = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.TASK_ADDED)
    page = client_for(caseworker).get(f"/cases/{case.pk}/").content.decode()
    assert "Call the family about the letter" in page
    assert event.data is not None and event.data["message"] == "task_added"
    # The title (the caseworker's words) is not in the event's plain JSON.
    assert "letter" not in str(event.data)


def test_htmx_gets_the_panel_back(client_for, caseworker):
    case = _case()
    response = client_for(caseworker).post(
        f"/cases/{case.pk}/tasks/", {"title": "Check the SIV number"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<section class="card" id="tasks"')
    assert "Check the SIV number" in body
    assert "<html" not in body


def test_it_completes_a_task_audited_and_in_the_history(client_for, caseworker):
    case = _case()
    client = client_for(caseworker)
    client.post(f"/cases/{case.pk}/tasks/", {"title": "Book the interview"})
    task = Task.objects.get(case=case)
    response = client.post(
        f"/cases/{case.pk}/tasks/{task.pk}/close/", {"status": "done"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    task.refresh_from_db()
    assert (task.status, task.closed_by, task.closed_how) == ("done", caseworker, "by_hand")
    assert "No open tasks." in response.content.decode()
    assert AuditEvent.objects.filter(object_type="cases.task", action="update").count() == 1
    # Ticking it again changes nothing and writes no second line.
    client.post(f"/cases/{case.pk}/tasks/{task.pk}/close/", {"status": "done"})
    assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.TASK_DONE).count() == 1
    history = client.get(f"/cases/{case.pk}/").content.decode().split('id="history"')[1]
    assert "Task done" in history and "Book the interview" in history


def test_it_cancels_a_task(client_for, caseworker):
    case = _case()
    client = client_for(caseworker)
    client.post(f"/cases/{case.pk}/tasks/", {"title": "Ask for the contract"})
    task = Task.objects.get(case=case)
    client.post(f"/cases/{case.pk}/tasks/{task.pk}/close/", {"status": "cancelled"})
    task.refresh_from_db()
    assert task.status == Task.Status.CANCELLED


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": "   "}, "the title is empty"),
        ({"title": "Renew the passport", "due_date": "2000-01-01"}, "is in the past"),
    ],
)
def test_it_refuses_bad_input_and_keeps_what_was_typed(client_for, caseworker, data, message):
    case = _case()
    response = client_for(caseworker).post(f"/cases/{case.pk}/tasks/", data)
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    if data["title"].strip():
        assert 'value="Renew the passport"' in body
        assert 'value="2000-01-01"' in body
    assert not Task.objects.exists()


def test_it_refuses_an_assignee_without_access_to_the_case(
    client_for, caseworker, intake_officer, partner_a
):
    case = _case()
    for who in (intake_officer, partner_a):
        response = client_for(caseworker).post(
            f"/cases/{case.pk}/tasks/",
            {"title": "Translate the letter", "assignee": who.pk},
            HTTP_HX_REQUEST="true",
        )
        body = response.content.decode()
        assert "has no access to work on" in body
        assert 'value="Translate the letter"' in body
    assert not Task.objects.exists()


def test_it_refuses_an_unknown_assignee(client_for, caseworker):
    case = _case()
    response = client_for(caseworker).post(
        f"/cases/{case.pk}/tasks/", {"title": "Call", "assignee": "999999"}
    )
    assert response.status_code == 400
    assert "That person is not known" in response.content.decode()


def test_an_intake_officer_reads_tasks_but_cannot_make_or_close_them(
    client_for, caseworker, intake_officer
):
    case = _case()
    client_for(caseworker).post(f"/cases/{case.pk}/tasks/", {"title": "Call the sponsor"})
    task = Task.objects.get()
    officer = client_for(intake_officer)
    page = officer.get(f"/cases/{case.pk}/").content.decode()
    assert "Call the sponsor" in page and 'id="task-form"' not in page
    assert officer.post(f"/cases/{case.pk}/tasks/", {"title": "x"}).status_code == 403
    closing = officer.post(f"/cases/{case.pk}/tasks/{task.pk}/close/", {"status": "done"})
    assert closing.status_code == 403
    task.refresh_from_db()
    assert task.status == Task.Status.OPEN


def test_a_partner_cannot_reach_tasks(client_for, partner_a):
    case = _case()
    client = client_for(partner_a)
    assert client.post(f"/cases/{case.pk}/tasks/", {"title": "x"}).status_code == 403
    assert not Task.objects.exists()


def test_a_task_of_another_case_is_not_found(client_for, caseworker):
    one, other = _case(), make_request(given_name="Other").request.case_links.get().case
    client = client_for(caseworker)
    client.post(f"/cases/{one.pk}/tasks/", {"title": "Mine"})
    task = Task.objects.get()
    response = client.post(f"/cases/{other.pk}/tasks/{task.pk}/close/", {"status": "done"})
    assert response.status_code == 404
