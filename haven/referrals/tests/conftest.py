from __future__ import annotations

import pytest

from haven.accounts.models import Organization
from haven.cases.models import Case
from haven.referrals.models import Service

from .factories import make_case, partner_directory

CONSENTED = "web-2021-08-v1"


@pytest.fixture(autouse=True)
def _fresh_rate_limits(request: pytest.FixtureRequest) -> None:
    # Attempts are counted in the cache (a database cache in production settings), which
    # outlives a test's transaction when it is not the database. Browser tests use their own
    # server and database.
    if "browser" in request.keywords:
        return
    request.getfixturevalue("db")
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def service_a(partner_org_a: Organization) -> Service:
    return partner_directory(partner_org_a)


@pytest.fixture
def service_b(partner_org_b: Organization) -> Service:
    return partner_directory(partner_org_b, kind="legal_aid")


@pytest.fixture
def consented_case(db: None) -> Case:
    return make_case(consent_version=CONSENTED)


@pytest.fixture
def unconsented_case(db: None) -> Case:
    return make_case(given_name="Din Mohammad")
