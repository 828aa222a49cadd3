"""The partner API for referrals: /api/v1/referrals, on the intake API's tokens and errors."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from haven.audit.models import AuditEvent
from haven.intake.tests.api_helpers import error_of, issue_token
from haven.referrals.models import Referral
from haven.referrals.services import referral_withdraw

from .factories import make_case
from .helpers import send

pytestmark = pytest.mark.django_db
URL = "/api/v1/referrals"


def _get(token, path=URL, **params):
    return Client().get(path, params, headers={"Authorization": f"Bearer {token}"})


def _post(token, referral_id, body, key=None):
    headers = {"Authorization": f"Bearer {token}"}
    if key:
        headers["Idempotency-Key"] = key
    return Client().post(
        f"{URL}/{referral_id}/status",
        data=json.dumps(body),
        content_type="application/json",
        headers=headers,
    )


@pytest.fixture
def referral(caseworker, partner_org_a, consented_case, service_a) -> Referral:
    return send(consented_case, caseworker, partner_org_a, service_a)


def test_it_lists_this_organisations_referrals_paginated(
    caseworker, partner_org_a, partner_org_b, service_a, service_b, referral
):
    other = make_case(consent_version="web-2021-08-v1", given_name="Zabihullah")
    send(other, caseworker, partner_org_b, service_b)
    third = make_case(consent_version="web-2021-08-v1", given_name="Noor")
    send(third, caseworker, partner_org_a, service_a)

    body = _get(issue_token(partner_org_a), page_size=1).json()

    assert body["count"] == 2 and body["pages"] == 2 and len(body["results"]) == 1
    assert body["results"][0]["service"]["kind"] == "protection"
    assert "snapshot" not in body["results"][0]  # the list carries no personal data
    event = AuditEvent.objects.filter(object_type="referrals.referral", action="view").latest("id")
    assert event.details["through"].startswith("API token")


def test_it_filters_by_status_and_updated_since(partner_org_a, referral, partner_a):
    token = issue_token(partner_org_a)
    assert _get(token, status="sent").json()["count"] == 1
    assert _get(token, status="accepted").json()["count"] == 0
    future = (referral.updated_at + dt.timedelta(minutes=1)).isoformat()
    assert _get(token, updated_since=future).json()["count"] == 0
    past = (referral.updated_at - dt.timedelta(minutes=1)).isoformat()
    assert _get(token, updated_since=past).json()["count"] == 1


def test_it_reads_one_referral_with_its_snapshot(partner_org_a, referral):
    body = _get(issue_token(partner_org_a), f"{URL}/{referral.pk}").json()
    assert body["reference"] == referral.reference
    assert body["snapshot"]["people"][0]["given_name"] == "Mohammad Zaman"


def test_another_organisations_id_is_a_404(partner_org_b, referral):
    token = issue_token(partner_org_b)
    response = _get(token, f"{URL}/{referral.pk}")
    assert response.status_code == 404
    error_of(response)
    assert _post(token, referral.pk, {"status": "accepted"}).status_code == 404
    referral.refresh_from_db()
    assert referral.status == "sent"


def test_it_moves_a_referral_and_refuses_an_invalid_transition_with_409(partner_org_a, referral):
    token = issue_token(partner_org_a)
    response = _post(token, referral.pk, {"status": "completed", "outcome": "other"})
    assert response.status_code == 409
    assert error_of(response)["code"] == "invalid_transition"
    assert "cannot be marked completed" in error_of(response)["message"]

    assert _post(token, referral.pk, {"status": "accepted"}).json()["status"] == "accepted"
    done = _post(token, referral.pk, {"status": "completed", "outcome": "service_provided"})
    assert done.status_code == 200 and done.json()["outcome"] == "service_provided"
    assert referral.events.last().actor_label.startswith("API token")


def test_completing_without_an_outcome_and_declining_without_a_reason_are_422(
    partner_org_a, referral
):
    token = issue_token(partner_org_a)
    declined = _post(token, referral.pk, {"status": "declined"})
    assert declined.status_code == 422
    assert error_of(declined)["details"][0]["field"] == "reason"
    assert _post(token, referral.pk, {"status": "archived"}).status_code == 422
    referral.refresh_from_db()
    assert referral.status == "sent"


def test_a_retry_with_the_same_idempotency_key_replays_the_first_answer(partner_org_a, referral):
    token = issue_token(partner_org_a)
    first = _post(token, referral.pk, {"status": "accepted"}, key="k-1")
    again = _post(token, referral.pk, {"status": "accepted"}, key="k-1")

    assert first.status_code == again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert referral.events.filter(to_status="accepted").count() == 1
    other_body = _post(token, referral.pk, {"status": "in_progress"}, key="k-1")
    assert other_body.status_code == 422


def test_a_withdrawn_referral_is_gone_from_the_api_at_once(caseworker, partner_org_a, referral):
    token = issue_token(partner_org_a)
    referral_withdraw(referral=referral, actor=caseworker, reason="Sent in error")

    assert _get(token).json()["count"] == 0
    assert _get(token, f"{URL}/{referral.pk}").status_code == 404
    assert _post(token, referral.pk, {"status": "acknowledged"}).status_code == 404


def test_the_referral_endpoints_are_in_the_openapi_schema(client):
    paths = client.get("/api/v1/schema").json()["paths"]
    assert set(paths["/api/v1/referrals"]) == {"get"}
    assert set(paths["/api/v1/referrals/{referral_id}"]) == {"get"}
    status = paths["/api/v1/referrals/{referral_id}/status"]["post"]
    assert {"200", "404", "409", "422"} <= set(status["responses"])


def test_without_a_token_it_is_401(referral):
    response = Client().get(URL)
    assert response.status_code == 401
    error_of(response)


@pytest.mark.parametrize(
    "moment", ["0128-11-14T03:10:06+17:51", "0001-01-01T00:00:00+05:00", "2021-09-01T10:00:00"]
)
def test_updated_since_with_any_offset_is_answered_not_a_500(partner_org_a, referral, moment):
    response = _get(issue_token(partner_org_a), updated_since=moment)
    assert response.status_code in (200, 422)
    if response.status_code == 422:
        assert error_of(response)["details"][0]["field"] == "updated_since"
