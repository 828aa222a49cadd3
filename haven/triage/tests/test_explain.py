"""`haven triage explain`: one JSON decision for a facts file, without a database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from .conftest import AFGHAN_IN_KABUL

HAVEN = str(Path(sys.executable).with_name("haven"))


def facts_file(tmp_path: Path, facts: Any) -> Path:
    path = tmp_path / "facts.json"
    path.write_text(facts if isinstance(facts, str) else json.dumps(facts), encoding="utf-8")
    return path


def explain(path: Path, *extra: str) -> dict[str, Any]:
    out = StringIO()
    call_command("triage", "explain", "--facts", str(path), *extra, stdout=out)
    result: dict[str, Any] = json.loads(out.getvalue())
    return result


def refused(path: Path) -> str:
    with pytest.raises(CommandError) as raised:
        call_command("triage", "explain", "--facts", str(path), stdout=StringIO())
    assert raised.value.returncode == 2
    return str(raised.value)


def test_it_prints_the_whole_decision(tmp_path: Path) -> None:
    facts = {
        **AFGHAN_IN_KABUL,
        "employer_type": "us_government",
        "employment_months": 12,
        "vulnerabilities": ["imminent_threat"],
        "dependants": 3,
        "days_waiting": 20,
    }
    decision = explain(facts_file(tmp_path, facts), "--guidance", "us-afghan-2021@1")
    assert list(decision) == [
        "pathway",
        "rule",
        "guidance",
        "next_action",
        "evidence_missing",
        "requires_third_country",
        "priority",
        "priority_breakdown",
        "explanation",
    ]
    assert decision["pathway"] == "siv_apply"
    assert decision["guidance"] == "us-afghan-2021@1"
    assert decision["evidence_missing"] == ["proof_of_employment", "recommendation_letter"]
    assert decision["requires_third_country"] is False
    assert decision["priority_breakdown"] == {
        "vulnerabilities": 50,
        "location": 30,
        "siv_stage": 0,
        "days_waiting": 10,
        "dependants": 6,
    }
    assert decision["priority"] == 96
    assert decision["explanation"].startswith("12 months with a qualifying employer")


def test_an_unknown_fact_blocks_a_rule_and_is_asked_for(tmp_path: Path) -> None:
    facts = {**AFGHAN_IN_KABUL, "employer_type": "us_government"}
    del facts["employment_months"]
    decision = explain(facts_file(tmp_path, facts))
    assert decision["pathway"] == "refer_unhcr"
    assert "employment_months" in decision["evidence_missing"]


def test_p2_says_it_needs_a_third_country(tmp_path: Path) -> None:
    facts = {**AFGHAN_IN_KABUL, "employer_type": "us_based_ngo", "referral_source": "self"}
    decision = explain(facts_file(tmp_path, facts))
    assert decision["pathway"] == "p2_needs_referral"
    assert decision["requires_third_country"] is True
    # Said by the flag (and the case page), not by a text shown to everyone on the pathway.
    assert "third country" not in decision["next_action"]


def test_it_rejects_malformed_json_with_its_line(tmp_path: Path) -> None:
    message = refused(facts_file(tmp_path, '{\n  "nationality": "AF",\n}'))
    assert message.startswith(f"{tmp_path / 'facts.json'}:3: not valid JSON")


def test_it_rejects_a_fact_of_the_wrong_type_naming_it(tmp_path: Path) -> None:
    message = refused(facts_file(tmp_path, {**AFGHAN_IN_KABUL, "employment_months": "twelve"}))
    assert "fact 'employment_months' must be a whole number, not 'twelve'" in message


def test_it_rejects_unknown_fact(tmp_path: Path) -> None:
    message = refused(facts_file(tmp_path, {"employment_month": 12}))
    assert "fact 'employment_month' unknown fact" in message


def test_it_rejects_a_value_outside_the_schema(tmp_path: Path) -> None:
    message = refused(facts_file(tmp_path, {"vulnerabilities": ["hungry"]}))
    assert "fact 'vulnerabilities' 'hungry' is not one of" in message


def test_it_rejects_an_unknown_guidance_version(tmp_path: Path) -> None:
    with pytest.raises(CommandError) as raised:
        call_command(
            "triage",
            "explain",
            "--facts",
            str(facts_file(tmp_path, {})),
            "--guidance",
            "us-afghan-2021@99",
            stdout=StringIO(),
        )
    assert raised.value.returncode == 2
    assert "no version '99'" in str(raised.value)


def test_it_needs_no_database(tmp_path: Path) -> None:
    """A database URL nothing listens on: any query would fail the command."""
    path = facts_file(tmp_path, {**AFGHAN_IN_KABUL, "is_us_citizen": True})
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "haven.config.settings",
        "DATABASE_URL": "postgres://nobody:nothing@127.0.0.1:9/none",
    }
    result = subprocess.run(
        [HAVEN, "triage", "explain", "--facts", str(path)],
        capture_output=True,
        text=True,
        env=env,
        cwd=settings.BASE_DIR,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["pathway"] == "us_citizen_or_lpr"


def test_the_command_line_exits_2_on_bad_facts(tmp_path: Path) -> None:
    path = facts_file(tmp_path, {"is_us_citizen": "yes"})
    result = subprocess.run(
        [HAVEN, "triage", "explain", "--facts", str(path)],
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "fact 'is_us_citizen' must be true or false" in result.stderr
