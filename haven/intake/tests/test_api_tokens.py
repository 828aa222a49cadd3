"""Tokens: `haven token`, bearer authentication, and per-token rate limits."""

from __future__ import annotations

import datetime as dt
import hashlib
import io

import pytest
import time_machine
from django.core.management import CommandError, call_command

from haven.accounts.models import ApiToken
from haven.audit.models import AuditEvent
from haven.intake.models import IdempotencyRecord, Request

from .api_helpers import error_of, example_body, get, issue_token, post

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("token", *args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue()


def test_token_create_prints_a_token_and_stores_only_its_hash(partner_org_a):
    token, message = run("create", "--org", "UNHCR Pakistan", "--name", "case system")

    assert token.startswith("hvn_")
    assert len(token) > 40
    stored = ApiToken.objects.get()
    assert stored.organization == partner_org_a
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token.startswith(stored.prefix)
    assert not ApiToken.objects.filter(token_hash=token).exists()
    assert stored.prefix in message
    assert token not in message
    assert AuditEvent.objects.filter(object_type="accounts.apitoken", action="create").exists()
    assert get(token).status_code == 200


def test_token_create_refuses_an_unknown_organisation(partner_org_a):
    with pytest.raises(CommandError, match="No organisation named 'UNHCR'"):
        run("create", "--org", "UNHCR")
    assert not ApiToken.objects.exists()


def test_token_create_can_create_the_organisation(db):
    token, _ = run("create", "--org", "IOM Pakistan", "--create-org")
    assert ApiToken.objects.get().organization.name == "IOM Pakistan"
    assert get(token).status_code == 200


def test_token_revoke_stops_the_token_at_once(partner_org_a):
    token, _ = run("create", "--org", "UNHCR Pakistan")
    _, message = run("revoke", token[:12])

    assert "Revoked" in message
    assert ApiToken.objects.get().revoked_at is not None
    response = post(token, example_body())
    assert response.status_code == 401
    assert not Request.objects.exists()
    with pytest.raises(CommandError, match="No active token"):
        run("revoke", token[:12])


def test_token_list_shows_prefixes_never_tokens(partner_org_a):
    token, _ = run("create", "--org", "UNHCR Pakistan", "--rate-limit", "30")
    listing, _ = run("list")
    assert token[:12] in listing
    assert token not in listing
    assert "rate=30" in listing


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "Bearer hvn_not-a-real-token", "Basic dXNlcjpwYXNz", "hvn_x"],
    ids=["missing", "empty", "no-token", "unknown", "basic", "no-scheme"],
)
def test_requests_without_a_valid_token_are_401(partner_org_a, authorization, client):
    issue_token(partner_org_a)
    headers = {} if authorization is None else {"Authorization": authorization}

    for response in (
        client.post("/api/v1/requests", example_body(), "application/json", headers=headers),
        client.get("/api/v1/requests", headers=headers),
    ):
        assert response.status_code == 401
        assert error_of(response)["code"] == "unauthorized"
        assert response["WWW-Authenticate"].startswith("Bearer")
    assert not Request.objects.exists()


def test_a_rate_limited_token_gets_429_with_retry_after(partner_org_a, partner_org_b):
    limited = issue_token(partner_org_a, rate_limit=2)
    other = issue_token(partner_org_b, rate_limit=2)
    start = dt.datetime(2021, 8, 20, 9, 0, 10, tzinfo=dt.UTC)

    with time_machine.travel(start, tick=False):
        assert [get(limited).status_code for _ in range(2)] == [200, 200]
        refused = get(limited)
        assert post(limited, example_body()).status_code == 429
        assert get(other).status_code == 200  # counted per token
    with time_machine.travel(start + dt.timedelta(seconds=60), tick=False):
        assert get(limited).status_code == 200  # a new window

    assert refused.status_code == 429
    assert error_of(refused)["code"] == "rate_limited"
    assert refused["Retry-After"] == "50"
    assert not Request.objects.exists()


def test_a_refusal_on_the_minute_still_asks_for_a_wait(partner_org_a):
    limited = issue_token(partner_org_a, rate_limit=1)
    on_the_minute = dt.datetime(2021, 8, 20, 9, 1, 0, tzinfo=dt.UTC)

    with time_machine.travel(on_the_minute, tick=False):
        assert get(limited).status_code == 200
        refused = get(limited)
    with time_machine.travel(on_the_minute + dt.timedelta(seconds=1), tick=False):
        assert get(limited).status_code == 200

    assert refused.status_code == 429
    assert refused["Retry-After"] == "1"  # never 0, which would invite an immediate retry


def test_the_default_limit_comes_from_settings(partner_org_a, settings):
    settings.HAVEN_API_RATE_LIMIT_PER_MINUTE = 1
    token = issue_token(partner_org_a)
    with time_machine.travel(dt.datetime(2021, 8, 20, 9, 0, 0, tzinfo=dt.UTC), tick=False):
        assert [get(token).status_code for _ in range(2)] == [200, 429]


def test_purge_keys_forgets_only_expired_retry_keys(partner_org_a):
    token = issue_token(partner_org_a)
    with time_machine.travel(dt.datetime.now(tz=dt.UTC) - dt.timedelta(hours=30)):
        post(token, example_body(), key="old")
    post(token, example_body(), key="new")

    _, message = run("purge-keys", "--older-than-hours", "24")

    assert "Removed 1" in message
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]
    assert Request.objects.count() == 2  # the requests themselves stay
