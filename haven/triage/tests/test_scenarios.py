"""`haven guidance test PACK`: the shipped scenarios pass, and a wrong one fails loudly."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from haven.triage import library
from haven.triage.scenarios import load_scenarios


def test_the_default_pack_ships_at_least_40_scenarios() -> None:
    scenarios = load_scenarios(library.scenarios_path("us-afghan-2021"))
    assert len(scenarios) >= 40
    pathways = {s.expect["pathway"] for s in scenarios}
    assert pathways >= {
        "us_citizen_or_lpr", "siv_approved", "siv_in_process", "siv_apply", "p2", "p1",
        "p2_needs_referral", "family_petition", "humanitarian_parole",
        "needs_verification", "refer_unhcr", "out_of_scope", "needs_information",
    }  # fmt: skip


def test_all_scenarios_of_the_default_pack_pass() -> None:
    out = StringIO()
    call_command("guidance", "test", "us-afghan-2021", stdout=out)
    assert "us-afghan-2021@2: 53 passed, 0 failed" in out.getvalue()
    assert "FAIL" not in out.getvalue()


def test_a_wrong_expectation_fails_with_exit_code_1(guidance_dir: Path) -> None:
    scenarios = guidance_dir / "us-afghan-2021" / "scenarios.yaml"
    text = scenarios.read_text(encoding="utf-8")
    scenarios.write_text(
        text.replace("expect: {pathway: us_citizen_or_lpr, requires_third_country: false}",
                     "expect: {pathway: p1, requires_third_country: false}", 1),
        encoding="utf-8",
    )  # fmt: skip
    out = StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("guidance", "test", "us-afghan-2021@1", stdout=out)
    assert raised.value.returncode == 1
    assert "FAIL US citizen in Kabul" in out.getvalue()
    assert "pathway: expected 'p1', got 'us_citizen_or_lpr'" in out.getvalue()
    assert "52 passed, 1 failed" in out.getvalue()


def test_a_scenario_with_a_badly_typed_fact_is_refused(guidance_dir: Path) -> None:
    scenarios = guidance_dir / "us-afghan-2021" / "scenarios.yaml"
    text = scenarios.read_text(encoding="utf-8").replace(
        "facts: {<<: *afghan_in_kabul, is_us_lpr: true}",
        "facts: {<<: *afghan_in_kabul, is_us_lpr: maybe}",
    )
    scenarios.write_text(text, encoding="utf-8")
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "is_us_lpr: maybe" in t)
    err = StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("guidance", "test", "us-afghan-2021", stdout=StringIO(), stderr=err)
    assert raised.value.returncode == 2
    assert f"scenarios.yaml:{line}: fact is_us_lpr: must be true or false" in err.getvalue()
