"""An audit screen people can use: details shown, filters, one case's whole story, export, stream."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
import time_machine
from django.db import transaction
from django.urls import reverse

from haven.audit.models import AuditEvent
from haven.audit.services import audit_record
from haven.cases.models import Case
from haven.cases.services import note_create
from haven.cases.tests.factories import make_request
from haven.triage.models import CaseFacts

pytestmark = pytest.mark.django_db
URL = reverse("audit:list")
EXPORT = reverse("audit:export")


def _case_with_story(caseworker, name="Storygul", father="Karim"):
    created = make_request(given_name=name, father_name=father)
    case = Case.objects.get(case_requests__request=created.request)
    note_create(case=case, author=caseworker, body="Called the family")
    facts, _ = CaseFacts.objects.get_or_create(case=case)
    audit_record(
        actor=caseworker,
        action="update",
        obj=facts,
        summary=f"Corrected triage facts of case {case.reference}",
        details={"case": case.pk, "changes": {"household_size": [3, 5]}},
    )
    return case, created.request


def test_details_are_shown_with_old_and_new_values(client_for, supervisor, caseworker):
    _case_with_story(caseworker)
    response = client_for(supervisor).get(URL, {"action": "update"})
    assert "household_size" in response.text
    assert "3 → 5" in response.text


def test_a_case_reference_gathers_the_case_its_notes_facts_and_requests(
    client_for, supervisor, caseworker
):
    case, _request = _case_with_story(caseworker)
    other, _ = _case_with_story(caseworker, name="Otherwali", father="Sharif")
    assert other.pk != case.pk
    client_for(caseworker).get(reverse("cases:detail", args=[case.pk]))
    response = client_for(supervisor).get(URL, {"reference": case.reference})
    events = list(response.context["page"])
    types = {e.object_type for e in events}
    assert {"cases.case", "cases.note", "triage.casefacts", "intake.request"} <= types
    # Nothing about the other case.
    assert not [e for e in events if e.details.get("case") == other.pk]
    assert not [e for e in events if (e.object_type, e.object_id) == ("cases.case", str(other.pk))]
    assert case.reference in response.text


def test_a_receipt_finds_its_request(client_for, supervisor, caseworker):
    _case, request = _case_with_story(caseworker)
    response = client_for(supervisor).get(URL, {"reference": request.receipt_number})
    events = list(response.context["page"])
    assert events and all(e.object_type == "intake.request" for e in events)


def test_an_unknown_reference_says_so(client_for, supervisor):
    response = client_for(supervisor).get(URL, {"reference": "C-9999999"})
    assert "Nothing is known by that reference" in response.text


def test_filters_by_user_action_and_date(client_for, supervisor, caseworker, intake_officer):
    with time_machine.travel(dt.datetime(2026, 5, 1, 10, tzinfo=dt.UTC)):
        audit_record(actor=caseworker, action="view", object_type="cases.case", object_id="1")
    with time_machine.travel(dt.datetime(2026, 5, 3, 10, tzinfo=dt.UTC)):
        audit_record(actor=caseworker, action="view", object_type="cases.case", object_id="2")
        audit_record(actor=intake_officer, action="view", object_type="cases.case", object_id="3")
    client = client_for(supervisor)
    found = client.get(
        URL, {"user": "caseworker", "action": "view", "date_from": "2026-05-02"}
    ).context["page"]
    assert [e.object_id for e in found] == ["2"]
    found = client.get(URL, {"date_to": "2026-05-01", "action": "view"}).context["page"]
    assert [e.object_id for e in found] == ["1"]


def test_supervisors_export_the_filtered_trail_with_formulas_neutralised(
    client_for, supervisor, caseworker
):
    audit_record(
        actor=caseworker,
        action="update",
        object_type="cases.case",
        object_id="1",
        summary='=HYPERLINK("http://evil.example","click")',
    )
    audit_record(actor=caseworker, action="view", object_type="cases.case", object_id="2")
    response = client_for(supervisor).get(EXPORT, {"action": "update"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["at", "user", "action"]
    assert len(rows) == 2  # the filter applies: the view is not exported
    assert rows[1][5].startswith("'=HYPERLINK")
    export = AuditEvent.objects.get(action="export", actor=supervisor)
    assert export.details["filters"] == {"action": "update"}
    assert export.details["rows"] == 1


@pytest.mark.parametrize("persona", ["caseworker", "intake_officer", "partner_a"])
def test_others_cannot_export(client_for, request, persona):
    assert client_for(request.getfixturevalue(persona)).get(EXPORT).status_code == 403


def test_events_ship_as_json_lines_after_commit_only(
    tmp_path, settings, caseworker, django_capture_on_commit_callbacks
):
    target = tmp_path / "audit.jsonl"
    settings.HAVEN_AUDIT_STREAM = str(target)
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            audit_record(actor=caseworker, action="view", object_type="cases.case", object_id="7")
            assert not target.exists()  # not before commit
        try:
            with transaction.atomic():
                audit_record(
                    actor=caseworker, action="view", object_type="cases.case", object_id="8"
                )
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
    lines = [json.loads(line) for line in target.read_text().splitlines()]
    assert [(x["actor"], x["action"], x["object_id"]) for x in lines] == [
        ("caseworker", "view", "7")
    ]
    assert lines[0]["at"] and lines[0]["host"]
