"""Load for bench/intake_api: partner systems sending requests, retrying with the same key.

Each logical request has its own Idempotency-Key. A client retries (same key, same body)
after a time-out, a dropped connection or a 5xx, as a partner system should. On top, to
prove retries are safe under load:
- DUPLICATE_SHARE of requests are sent again after their 201, as if the answer had been lost;
- RACE_SHARE are sent twice at the same moment.
Every acknowledged key and its receipt number are written to $BENCH_ACKS at the end.
"""

from __future__ import annotations

import json
import os
import random
import uuid
from typing import Any

import gevent
from locust import FastHttpUser, events, task

TOKEN = os.environ.get("BENCH_TOKEN", "")
ACKS_PATH = os.environ.get("BENCH_ACKS", "")
DUPLICATE_SHARE = 0.10
RACE_SHARE = 0.05
MAX_ATTEMPTS = 8

# key -> receipt number, and any replay that answered a different receipt.
acks: dict[str, str] = {}
mismatches: list[str] = []
failures: list[str] = []
BODIES_PATH = os.environ.get("BENCH_BODIES", "")
_bodies: list[str] = []
_next = [0]


def household() -> str:
    """The next body from Haven's synthetic households (bodies.py), round the list: families
    come again under other spellings, and a body sent again is a new request by the same
    family, as partner systems sent them in 2021."""
    if not _bodies:
        with open(BODIES_PATH, encoding="utf-8") as lines:
            _bodies.extend(line.rstrip("\n") for line in lines if line.strip())
    body = _bodies[_next[0] % len(_bodies)]
    _next[0] += 1
    return body


class PartnerSystem(FastHttpUser):
    network_timeout = 10.0
    connection_timeout = 5.0

    def _send(self, key: str, body: str, name: str) -> str | None:
        headers = {
            "Authorization": f"Bearer {TOKEN}",
            "Idempotency-Key": key,
            "Content-Type": "application/json",
        }
        with self.client.post(
            "/api/v1/requests", data=body, headers=headers, name=name, catch_response=True
        ) as response:
            if response.status_code == 201:
                response.success()
                return str(json.loads(response.content)["receipt_number"])
            response.failure(f"status {response.status_code}")
            return None

    def _until_acknowledged(self, key: str, body: str, name: str) -> str | None:
        for attempt in range(MAX_ATTEMPTS):
            receipt = self._send(key, body, name if attempt == 0 else "POST retry")
            if receipt is not None:
                return receipt
            gevent.sleep(min(0.05 * 2**attempt, 2.0))
        failures.append(key)
        return None

    def _acknowledge(self, key: str, receipt: str | None) -> None:
        if receipt is None:
            return
        if acks.setdefault(key, receipt) != receipt:
            mismatches.append(key)

    @task
    def send_request(self) -> None:
        key, body = str(uuid.uuid4()), household()
        if random.random() < RACE_SHARE:
            twins = [gevent.spawn(self._until_acknowledged, key, body, "POST race") for _ in "ab"]
            gevent.joinall(twins)
            for twin in twins:
                self._acknowledge(key, twin.value)
            return
        self._acknowledge(key, self._until_acknowledged(key, body, "POST /api/v1/requests"))
        if key in acks and random.random() < DUPLICATE_SHARE:
            self._acknowledge(key, self._until_acknowledged(key, body, "POST lost-ack retry"))


class CeilingView(FastHttpUser):
    """The same body to a view that does one INSERT and nothing else."""

    network_timeout = 10.0

    @task
    def insert(self) -> None:
        body = household()
        self.client.post("/bench/ceiling", data=body, name="POST /bench/ceiling")


@events.test_stop.add_listener
def _write_acks(**_: Any) -> None:
    if ACKS_PATH:
        with open(ACKS_PATH, "w") as out:
            json.dump({"acks": acks, "mismatches": mismatches, "failures": failures}, out)
