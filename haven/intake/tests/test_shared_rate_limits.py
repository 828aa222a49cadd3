"""With HAVEN_CACHE_URL, rate limits count in Redis: one count for every server process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import uuid

import pytest

from .api_helpers import example_body, issue_token, post

REDIS_URL = os.environ.get("HAVEN_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_reachable() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not _redis_reachable(), reason="no Redis at 127.0.0.1:6379"),
]


def test_the_setting_makes_redis_the_cache():
    code = (
        "import django; from django.conf import settings; django.setup(); "
        "print(settings.CACHES['default']['BACKEND'])"
    )
    env = {**os.environ, "HAVEN_CACHE_URL": REDIS_URL}
    env["DJANGO_SETTINGS_MODULE"] = "haven.config.settings"
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "django.core.cache.backends.redis.RedisCache"


@pytest.fixture
def redis_cache(settings):
    prefix = f"haven-test-{uuid.uuid4().hex[:8]}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    yield prefix
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


def test_a_token_limit_counts_across_server_processes(partner_org_a, redis_cache, settings):
    token = issue_token(partner_org_a, rate_limit=2)
    assert post(token, example_body()).status_code == 201
    assert post(token, example_body()).status_code == 201

    # Another process: the cache connections are made anew; the count is in Redis.
    settings.CACHES = {"default": {**settings.CACHES["default"], "TIMEOUT": 300}}

    response = post(token, example_body())
    assert response.status_code == 429
    import redis

    counts = [
        int(redis.Redis.from_url(REDIS_URL).get(key) or 0)
        for key in redis.Redis.from_url(REDIS_URL).scan_iter(f"{redis_cache}:*rate*")
    ]
    assert counts == [3]
