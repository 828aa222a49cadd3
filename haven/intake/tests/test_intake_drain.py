"""`haven intake-drain`: runs the pipeline for requests stored as pending, for operators
without a background worker."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from haven.cases.models import CaseRequest
from haven.cli import _command_name
from haven.intake.models import Channel, Request
from haven.intake.services import PersonInput, RequestInput, request_create

pytestmark = pytest.mark.django_db


def _pending(given_name: str) -> Request:
    """Stored as the API and the public form store it: answered, not yet matched."""
    data = RequestInput(
        channel=Channel.API,
        # A family name and a whole date: with term frequencies a common given name, a father
        # and a year alone are namesakes' evidence, not enough to join two requests.
        people=(
            PersonInput(
                given_name=given_name,
                family_name="Sadozai",
                father_name="Karim",
                date_of_birth="1985-03-14",
            ),
        ),
    )
    raw = json.dumps({"given_name": given_name})
    # Inside the test's transaction, the after-commit drain never runs: the request waits.
    return request_create(data=data, raw_input=raw, run_pipeline=False).request


def _drain() -> str:
    out = StringIO()
    call_command("intake_drain", stdout=out)
    return out.getvalue()


def test_it_runs_the_pipeline_for_every_pending_request_and_says_how_many() -> None:
    waiting = [_pending("Ahmad"), _pending("Farida"), _pending("Ahmad")]
    assert not CaseRequest.objects.exists()

    assert "Processed 3 pending requests" in _drain()

    assert not Request.objects.filter(pipeline_pending=True).exists()
    cases = {CaseRequest.objects.get(request=r).case_id for r in waiting}
    # The pipeline ran in order: the second Ahmad joined the first one's case.
    assert len(cases) == 2


def test_with_nothing_pending_it_processes_nothing() -> None:
    request_create(
        data=RequestInput(channel=Channel.WALK_IN, people=(PersonInput(given_name="Noor"),)),
        raw_input="{}",
    )
    assert "Processed 0 pending requests" in _drain()
    assert CaseRequest.objects.count() == 1


def test_the_haven_command_accepts_the_hyphenated_name(capsys: pytest.CaptureFixture[str]) -> None:
    request = _pending("Zahra")

    # Django's run_from_argv closes every connection when a command ends (the test's own, on
    # PostgreSQL): run the command the CLI names, and check the CLI's naming on its own.
    assert _command_name(["intake-drain"]) == ["intake_drain"]
    call_command("intake_drain")

    assert "Processed 1 pending request " in capsys.readouterr().out
    request.refresh_from_db()
    assert request.pipeline_pending is False
    assert CaseRequest.objects.filter(request=request).exists()
