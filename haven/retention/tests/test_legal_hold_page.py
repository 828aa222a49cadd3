"""The legal-hold button on the case page: supervisors place and lift it with a reason and a
confirmation; it stops erasure; every change is audited; the reason is encrypted at rest."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from django.db import connection
from django.urls import reverse

from haven.audit.models import AuditEvent
from haven.cases.models import Case
from haven.cases.services import case_status_change
from haven.intake.services import PersonInput, RequestInput, request_create
from haven.retention.models import ErasedCase, LegalHold
from haven.retention.services import retention_run

pytestmark = pytest.mark.django_db
CLOSED = dt.datetime(2024, 1, 10, 9, tzinfo=dt.UTC)
LATER = CLOSED + dt.timedelta(days=731)


def _closed_case(caseworker) -> Case:
    created = request_create(
        data=RequestInput(
            channel="walk_in", people=(PersonInput(given_name="Held", date_of_birth="1980"),)
        ),
        raw_input=json.dumps({"given_name": "Held"}),
        receipt_message=False,
    )
    case = Case.objects.get(case_requests__request=created.request)
    case_status_change(case=case, actor=caseworker, status=Case.Status.CLOSED)
    return case


def _hold(client, case: Case, **data: str):
    return client.post(reverse("retention:hold_set", args=[case.pk]), data, follow=True)


def test_a_supervisor_places_a_hold_from_the_case_page_and_erasure_skips_it(
    client_for, supervisor, caseworker
) -> None:
    with time_machine.travel(CLOSED, tick=False):
        case = _closed_case(caseworker)
    client = client_for(supervisor)
    page = client.get(reverse("cases:detail", args=[case.pk]))
    assert "Place legal hold" in page.text
    response = _hold(client, case, reason="Inquiry 2024/7 asks to keep it", confirm="on")
    assert "Legal hold placed" in response.text
    assert "Lift legal hold" in response.text and "Inquiry 2024/7" in response.text
    hold = LegalHold.objects.get(case=case)
    assert hold.set_by == supervisor
    event = AuditEvent.objects.filter(details__legal_hold=True).get()
    assert event.actor == supervisor and event.details["reason"].startswith("Inquiry 2024/7")
    with time_machine.travel(LATER, tick=False):
        assert retention_run() == []
    assert not ErasedCase.objects.exists()


def test_lifting_the_hold_needs_a_reason_and_lets_erasure_go_on(
    client_for, supervisor, caseworker
) -> None:
    with time_machine.travel(CLOSED, tick=False):
        case = _closed_case(caseworker)
    client = client_for(supervisor)
    _hold(client, case, reason="Court order", confirm="on")
    url = reverse("retention:hold_release", args=[case.pk])
    refused = client.post(url, {"reason": "", "confirm": "on"}, follow=True)
    assert "Give a reason for the legal hold." in refused.text
    assert LegalHold.objects.filter(case=case).exists()
    lifted = client.post(url, {"reason": "Order withdrawn", "confirm": "on"}, follow=True)
    assert "Legal hold lifted." in lifted.text
    assert not LegalHold.objects.exists()
    released = AuditEvent.objects.filter(details__changes__legal_hold=[True, False]).get()
    assert released.details["reason"] == "Order withdrawn"
    with time_machine.travel(LATER, tick=False):
        assert len(retention_run()) == 1


def test_it_refuses_without_confirmation_or_reason_and_changes_nothing(
    client_for, supervisor, caseworker
) -> None:
    case = _closed_case(caseworker)
    client = client_for(supervisor)
    assert "Tick the box to confirm." in _hold(client, case, reason="Inquiry").text
    assert "Give a reason" in _hold(client, case, reason="   ", confirm="on").text
    assert not LegalHold.objects.exists()


@pytest.mark.parametrize("persona", ["caseworker", "intake_officer"])
def test_only_oversight_roles_see_the_button_or_may_post(request, client_for, persona) -> None:
    case = _closed_case(request.getfixturevalue("caseworker"))
    client = client_for(request.getfixturevalue(persona))
    page = client.get(reverse("cases:detail", args=[case.pk]))
    assert "Place legal hold" not in page.text
    response = client.post(
        reverse("retention:hold_set", args=[case.pk]), {"reason": "x", "confirm": "on"}
    )
    assert response.status_code == 403
    assert not LegalHold.objects.exists()


def test_an_unknown_case_is_a_404(client_for, supervisor) -> None:
    response = client_for(supervisor).post(
        reverse("retention:hold_set", args=[999999]), {"reason": "x", "confirm": "on"}
    )
    assert response.status_code == 404


def test_the_reason_is_encrypted_at_rest(client_for, supervisor, caseworker) -> None:
    case = _closed_case(caseworker)
    _hold(client_for(supervisor), case, reason="CanaryHoldReason", confirm="on")
    with connection.cursor() as cursor:
        cursor.execute("SELECT reason FROM retention_legalhold")
        (stored,) = cursor.fetchone()
    assert "CanaryHoldReason" not in stored
    assert LegalHold.objects.get().reason == "CanaryHoldReason"
