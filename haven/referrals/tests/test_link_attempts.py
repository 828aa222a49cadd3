"""Attempts to open shared referral links, counted per link and per client address."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from haven.referrals import delivery

pytestmark = pytest.mark.django_db  # the shared cache is a database table in tests


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def test_it_refuses_a_link_past_its_own_limit_but_not_another_link(settings):
    settings.HAVEN_REFERRAL_LINK_ATTEMPTS = 2
    first = [delivery.attempts_allowed(token="link-one", address="10.0.0.1") for _ in range(3)]
    assert first == [True, True, False]
    assert delivery.attempts_allowed(token="link-two", address="10.0.0.1") is True


def test_it_gives_one_address_four_times_a_links_budget_across_links(settings):
    settings.HAVEN_REFERRAL_LINK_ATTEMPTS = 1
    answers = [delivery.attempts_allowed(token=f"link-{n}", address="10.0.0.9") for n in range(5)]
    assert answers == [True, True, True, True, False]
    assert delivery.attempts_allowed(token="link-new", address="10.0.0.10") is True


def test_it_does_not_put_the_token_in_a_cache_key(settings):
    settings.HAVEN_REFERRAL_LINK_ATTEMPTS = 2
    seen: list[str] = []
    real_add, real_incr = cache.add, cache.incr

    def spying(real):
        def spy(key, *args, **kwargs):
            seen.append(str(key))
            return real(key, *args, **kwargs)

        return spy

    cache.add, cache.incr = spying(real_add), spying(real_incr)  # type: ignore[method-assign]
    try:
        for _ in range(2):
            delivery.attempts_allowed(token="secret-token-value", address="10.0.0.2")
    finally:
        cache.add, cache.incr = real_add, real_incr  # type: ignore[method-assign]
    assert len(seen) >= 4  # both counters, twice
    assert all("secret-token-value" not in key for key in seen)
