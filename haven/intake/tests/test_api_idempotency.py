"""Idempotency-Key: retries are safe; a reused key with other content is refused."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from django.db import connection

from haven.audit.models import AuditEvent
from haven.intake.models import IdempotencyRecord, Request

from .api_helpers import error_of, example_body, issue_token, post

pytestmark = pytest.mark.django_db

KEY = "3f1c9a52-6a0e-4c1b-9d55-0d5f5bde2f11"


def test_a_retry_gets_the_first_response_and_creates_nothing(partner_org_a):
    token = issue_token(partner_org_a)
    first = post(token, example_body(), key=KEY)
    retry = post(token, example_body(), key=KEY)

    assert first.status_code == retry.status_code == 201
    assert retry.content == first.content
    assert retry["Idempotent-Replayed"] == "true"
    assert not first.has_header("Idempotent-Replayed")
    assert Request.objects.count() == 1
    assert IdempotencyRecord.objects.count() == 1
    replay = AuditEvent.objects.get(action="view", object_type="intake.request")
    assert replay.object_id == str(first.json()["id"])
    assert replay.details["replayed"] is True


def test_the_same_content_in_another_key_order_is_the_same_request(partner_org_a):
    token = issue_token(partner_org_a)
    body = example_body()
    first = post(token, json.dumps(body), key=KEY)
    reordered = json.dumps(dict(reversed(list(body.items()))), indent=2)

    retry = post(token, reordered, key=KEY)

    assert retry.content == first.content
    assert Request.objects.count() == 1


def test_the_same_key_with_a_different_body_is_422(partner_org_a):
    token = issue_token(partner_org_a)
    first = post(token, example_body(), key=KEY)
    response = post(token, example_body(help_requested="Something else"), key=KEY)

    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "idempotency_key_reused"
    assert error["details"] == [{"field": "Idempotency-Key", "location": "header"}]
    assert Request.objects.count() == 1
    # The first answer is still the one a correct retry gets.
    assert post(token, example_body(), key=KEY).content == first.content


def test_keys_belong_to_one_token(partner_org_a, partner_org_b):
    post(issue_token(partner_org_a), example_body(), key=KEY)
    response = post(issue_token(partner_org_b), example_body(), key=KEY)

    assert response.status_code == 201
    assert Request.objects.count() == 2


def test_a_refused_request_does_not_use_up_its_key(partner_org_a):
    token = issue_token(partner_org_a)
    assert post(token, {"people": []}, key=KEY).status_code == 422
    assert post(token, example_body(), key=KEY).status_code == 201
    assert Request.objects.count() == 1


def test_the_stored_response_does_not_keep_the_status_secret_in_clear(partner_org_a):
    secret = post(issue_token(partner_org_a), example_body(), key=KEY).json()["status_secret"]
    record = IdempotencyRecord.objects.get()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT response_body_encrypted FROM intake_idempotencyrecord WHERE id = %s",
            [record.pk],
        )
        (stored,) = cursor.fetchone()
    assert secret not in stored


def test_a_key_older_than_the_replay_window_starts_a_new_request(partner_org_a, settings):
    settings.HAVEN_API_IDEMPOTENCY_TTL_HOURS = 24
    token = issue_token(partner_org_a)
    first = post(token, example_body(), key=KEY)
    with time_machine.travel(dt.datetime.now(tz=dt.UTC) + dt.timedelta(hours=25)):
        later = post(token, example_body(), key=KEY)

    assert later.status_code == 201
    assert later.json()["receipt_number"] != first.json()["receipt_number"]
    assert Request.objects.count() == 2
    assert IdempotencyRecord.objects.count() == 1


@pytest.mark.parametrize("key", ["", "a" * 256, "with space", "ключ"])
def test_unusable_keys_are_422_naming_the_header(partner_org_a, key):
    response = post(issue_token(partner_org_a), example_body(), key=key)

    assert response.status_code == 422
    details = error_of(response)["details"]
    assert [(d["field"], d["location"]) for d in details] == [("Idempotency-Key", "header")]
    assert not Request.objects.exists()
