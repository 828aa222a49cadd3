"""Active tokens are remembered for a few seconds per process; revoking forgets them."""

from __future__ import annotations

import pytest
from django.utils import timezone

from haven.accounts.models import ApiToken
from haven.accounts.services_api import api_token_revoke
from haven.intake.api import auth

from .api_helpers import example_body, issue_token, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(monkeypatch):
    now = [1_000.0]
    monkeypatch.setattr(auth, "_clock", lambda: now[0])
    return now


def revoked_by_another_process(token: str) -> None:
    # A queryset update sends no signal: as when another server process revoked the token.
    ApiToken.objects.filter(prefix=token[:12]).update(revoked_at=timezone.now())


def test_revoking_in_this_process_stops_the_token_at_once(partner_org_a, clock):
    token = issue_token(partner_org_a)
    assert post(token, example_body()).status_code == 201

    api_token_revoke(prefix=token[:12])

    assert post(token, example_body()).status_code == 401


def test_a_token_revoked_elsewhere_stops_within_the_cache_seconds(partner_org_a, clock):
    token = issue_token(partner_org_a)
    assert post(token, example_body()).status_code == 201
    revoked_by_another_process(token)

    clock[0] += auth.DEFAULT_CACHE_SECONDS - 1
    assert post(token, example_body()).status_code == 201  # still remembered here

    clock[0] += 2
    assert post(token, example_body()).status_code == 401


def test_without_a_cache_a_revoked_token_stops_at_once(partner_org_a, clock, settings):
    settings.HAVEN_API_TOKEN_CACHE_SECONDS = 0
    token = issue_token(partner_org_a)
    assert post(token, example_body()).status_code == 201
    revoked_by_another_process(token)

    assert post(token, example_body()).status_code == 401


def test_an_unknown_token_is_never_remembered(partner_org_a, clock):
    token = issue_token(partner_org_a)
    ApiToken.objects.filter(prefix=token[:12]).update(revoked_at=timezone.now())
    assert post(token, example_body()).status_code == 401

    ApiToken.objects.filter(prefix=token[:12]).update(revoked_at=None)

    assert post(token, example_body()).status_code == 201
