from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from haven.common import periodic


def test_tick_runs_every_registered_job_and_survives_a_failing_one() -> None:
    ran: list[str] = []

    def good() -> str:
        ran.append("good")
        return "1 done"

    def bad() -> str:
        raise RuntimeError("boom")

    periodic.register(name="zz-test-good", run=good)
    periodic.register(name="zz-test-bad", run=bad)
    out = StringIO()
    call_command("tick", "--only", "zz-test-good", "--only", "zz-test-bad", stdout=out)
    assert ran == ["good"]
    assert "zz-test-good: 1 done" in out.getvalue()
    assert "zz-test-bad: failed" in out.getvalue()


@pytest.mark.django_db
def test_tick_lists_jobs() -> None:
    periodic.register(name="zz-test-listed", run=lambda: "")
    out = StringIO()
    call_command("tick", "--list", stdout=out)
    assert "zz-test-listed" in out.getvalue().split()
