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
_NAMES = ["Mohammad Zaman", "Zabihullah", "Gul Ahmad", "Fatima", "Noor", "Din Mohammad"]


def household() -> dict[str, Any]:
    rng = random.Random()
    return {
        "people": [
            {
                "relationship": "principal",
                "given_name": rng.choice(_NAMES),
                "family_name": "Ahmadzai",
                "father_name": rng.choice(_NAMES),
                "sex": "m",
                "date_of_birth": f"13{rng.randint(50, 79)}/0{rng.randint(1, 9)}/1{rng.randint(0, 9)}",
                "province": "Nangarhar",
                "identifiers": [
                    {"kind": "passport", "value": f"P{rng.randint(10**7, 10**8 - 1)}"},
                    {"kind": "siv_case", "value": f"KBL{rng.randint(10**6, 10**7 - 1)}"},
                ],
            },
            {"relationship": "spouse", "given_name": "Fatima", "sex": "f", "date_of_birth": "1990"},
            {"relationship": "child", "full_name": "ذبیح‌الله", "date_of_birth": "01/01/2012"},
        ],
        "contact": {"phone": f"+93 70{rng.randint(0, 9)} {rng.randint(100000, 999999)}"},
        "location": {"country": "PK", "place": "Islamabad"},
        "help_requested": "SIV applicant, COM approved; family in hiding.",
        "consent_version": "2021-08",
    }


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
        key, body = str(uuid.uuid4()), json.dumps(household(), ensure_ascii=False)
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
        body = json.dumps(household(), ensure_ascii=False)
        self.client.post("/bench/ceiling", data=body, name="POST /bench/ceiling")


@events.test_stop.add_listener
def _write_acks(**_: Any) -> None:
    if ACKS_PATH:
        with open(ACKS_PATH, "w") as out:
            json.dump({"acks": acks, "mismatches": mismatches, "failures": failures}, out)
