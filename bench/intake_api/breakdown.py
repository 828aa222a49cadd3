"""Where the time of one POST /api/v1/requests goes, in-process, against the ceiling view.

Runs Django's test client (no HTTP server, no load generator) against a fresh PostgreSQL
database, so the figures are the server's own work per request on an idle machine:

    .venv/bin/python bench/intake_api/breakdown.py

Prints milliseconds per request for: the ceiling view (one INSERT); the full API request;
the API with its one write (request, audit event, key's record) replaced by a stub; and with
the Idempotency-Key handling replaced too (what is left: authentication, validation,
middleware, the JSON answer).
Not part of the test suite.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DATABASE = "haven_bench_breakdown"
REQUESTS = 300


def household(rng: random.Random) -> dict[str, Any]:
    names = ["Mohammad Zaman", "Zabihullah", "Gul Ahmad", "Fatima", "Noor", "Din Mohammad"]
    return {
        "people": [
            {
                "relationship": "principal",
                "given_name": rng.choice(names),
                "family_name": "Ahmadzai",
                "father_name": rng.choice(names),
                "date_of_birth": f"13{rng.randint(50, 79)}/0{rng.randint(1, 9)}/1{rng.randint(0, 9)}",
                "identifiers": [{"kind": "passport", "value": f"P{rng.randint(10**7, 10**8 - 1)}"}],
            },
            {"relationship": "spouse", "given_name": "Fatima", "date_of_birth": "1990"},
            {"relationship": "child", "full_name": "ذبیح‌الله", "date_of_birth": "01/01/2012"},
        ],
        "contact": {"phone": f"+93 70{rng.randint(0, 9)} {rng.randint(100000, 999999)}"},
        "location": {"country": "PK", "place": "Islamabad"},
        "consent_version": "2021-08",
    }


def prepare() -> None:
    for sql in (f'DROP DATABASE IF EXISTS "{DATABASE}"', f'CREATE DATABASE "{DATABASE}"'):
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", sql], check=True)
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{DATABASE}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.intake_api.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_ceiling (id bigserial PRIMARY KEY, body text NOT NULL)")
    settings.ALLOWED_HOSTS = ["*"]


def timed(send: Callable[[], None]) -> float:
    for _ in range(30):  # warm caches and the connection
        send()
    started = time.perf_counter()
    for _ in range(REQUESTS):
        send()
    return (time.perf_counter() - started) / REQUESTS * 1000


def main() -> None:
    prepare()
    from django.test import Client
    from django.utils import timezone

    from haven.accounts.models import Organization
    from haven.accounts.services_api import api_token_create
    from haven.intake.api import idempotency, views
    from haven.intake.models import Request
    from haven.intake.services import CreatedRequest

    organization = Organization.objects.create(name="Breakdown partner")
    token = api_token_create(organization=organization, rate_limit_per_minute=0).raw
    client, rng = Client(), random.Random(3)

    def post(path: str) -> Callable[[], None]:
        def send() -> None:
            response = client.post(
                path,
                data=json.dumps(household(rng)),
                content_type="application/json",
                headers={"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())},
            )
            assert response.status_code == 201, response.content

        return send

    def stored_nothing(**kwargs: Any) -> CreatedRequest:
        request = Request(pk=1, receipt_number="HV-0", received_at=timezone.now())
        if kwargs.get("claim"):
            kwargs["claim"](request, "0")  # the answer is still built and encrypted
        return CreatedRequest(request=request, status_secret="0")

    def no_claim(*, produce: Callable[..., tuple[int, bytes]], **_kwargs: Any) -> Any:
        status, body = produce(None)  # as without a key: no record to write
        return idempotency.StoredResponse(status=status, body=body, replayed=False)

    figures = {"ceiling view (one INSERT)": timed(post("/bench/ceiling"))}
    figures["API request, in full"] = timed(post("/api/v1/requests"))
    views.request_accept = stored_nothing  # type: ignore[assignment]
    figures["API, nothing written"] = timed(post("/api/v1/requests"))
    idempotency.response_once = no_claim  # type: ignore[assignment]
    figures["API, nor the Idempotency-Key handled"] = timed(post("/api/v1/requests"))
    for label, ms in figures.items():
        print(f"{label:<40} {ms:6.2f} ms per request")


if __name__ == "__main__":
    main()
