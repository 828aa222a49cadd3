"""Kill a worker (SIGKILL) while the provider holds its request: nothing is lost, nothing
is sent twice. The worker is a real `haven outbox-deliver` process on its own SQLite file."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from haven.common.browser_testing import database_copy
from haven.communications.fake_provider import FakeProvider

ROOT = Path(__file__).resolve().parents[3]
SETUP = """
from haven.communications.contacts import request_contacts
from haven.communications.services import messages_queue
from haven.communications.tests.helpers import make_requester
from haven.intake.models import Request
for i in range(6):
    make_requester(phone=f"+93 700 100 {100 + i}", given_name=f"Person{i}", index=i)
messages_queue(purpose="closed", contacts=request_contacts(Request.objects.all()), actor=None)
"""
REPORT = """
import json
from haven.communications.models import Message
print(json.dumps(sorted((str(m.idempotency_key), m.status) for m in Message.objects.all())))
"""


def _env(var_dir: Path, provider: FakeProvider) -> dict[str, str]:
    env = {
        **os.environ,
        "HAVEN_VAR_DIR": str(var_dir),
        "HAVEN_SMS_CHANNEL": "twilio",
        "HAVEN_TWILIO_BASE_URL": provider.url,
        "HAVEN_TWILIO_ACCOUNT_SID": "ACcrash",
        "HAVEN_TWILIO_AUTH_TOKEN": "crash-token",
        "HAVEN_TWILIO_FROM": "+15005550006",
        "HAVEN_MESSAGE_QUIET_HOURS": "",
        "HAVEN_SMS_RATE_PER_SECOND": "0",
        "HAVEN_OUTBOX_LEASE_SECONDS": "2",
        "HAVEN_SMS_TIMEOUT_SECONDS": "60",
    }
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


def _haven(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "haven.cli", *args],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
        capture_output=True,
        text=True,
    )


@pytest.mark.slow
def test_killing_the_worker_mid_delivery_loses_nothing_and_sends_nothing_twice(
    tmp_path, migrated_database
) -> None:
    with FakeProvider(hold_after=3) as provider:
        env = _env(tmp_path, provider)
        database_copy(migrated_database, tmp_path)  # freshly migrated (haven/conftest.py)
        _haven(env, "shell", "-c", SETUP)
        worker = subprocess.Popen(
            [sys.executable, "-m", "haven.cli", "outbox-deliver", "--limit", "10"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            # The provider has taken the third message and not answered: the worker waits.
            assert provider.holding.wait(timeout=120)
            os.kill(worker.pid, signal.SIGKILL)
        finally:
            worker.wait(timeout=30)
        assert worker.returncode == -signal.SIGKILL
        assert len(provider.sent) == 3
        time.sleep(2.5)  # the dead worker's lease runs out
        _haven(env, "outbox-deliver")
        report = _haven(env, "shell", "-c", REPORT).stdout.strip().splitlines()[-1]
        statuses = json.loads(report)
    keys = [key for key, _status in statuses]
    assert [status for _key, status in statuses] == ["sent"] * 6  # nothing lost
    assert sorted(provider.sent) == sorted(keys)  # every message sent, each exactly once
    assert len(provider.sent_at) == 6
    # The message in flight when the worker died was asked for again, under the same key.
    assert len(provider.requests) == 7 and len(set(provider.requests)) == 6
