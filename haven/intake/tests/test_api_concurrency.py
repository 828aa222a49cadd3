"""Concurrent retries with one Idempotency-Key create one request (PostgreSQL only).

SQLite serialises every write transaction, so the race this guards against can only
happen on PostgreSQL; CI runs the suite there too.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection

from haven.intake.models import IdempotencyRecord, Request

from .api_helpers import example_body, issue_token, post

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]

RETRIES = 6


def test_simultaneous_retries_create_one_request(partner_org_a):
    token = issue_token(partner_org_a)
    start = threading.Barrier(RETRIES)

    def retry(_: int) -> Any:
        try:
            start.wait(timeout=10)  # all send at once
            return post(token, example_body(), key="same-key-sent-six-times")
        finally:
            connection.close()  # each thread has its own connection

    with ThreadPoolExecutor(max_workers=RETRIES) as pool:
        responses = list(pool.map(retry, range(RETRIES)))

    assert [r.status_code for r in responses] == [201] * RETRIES
    assert len({r.content for r in responses}) == 1
    assert sum(not r.has_header("Idempotent-Replayed") for r in responses) == 1
    assert Request.objects.count() == 1
    assert IdempotencyRecord.objects.count() == 1
