"""`haven guidance validate`: a pack with any problem is refused whole, as FILE:LINE: message."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from .conftest import REPO_GUIDANCE, shipped_version_text

MINIMAL = """\
pack: demo
version: "1"
effective_date: 2021-08-20
author: Test
change_note: Minimal pack.
priority: {}
evidence:
  proof: Proof
rules:
  - id: citizens
    when: is_us_citizen
    pathway: us_citizen_or_lpr
    next_action: Help them.
    explanation: A citizen.
  - id: everyone
    when: "true"
    pathway: needs_information
    next_action: Ask.
    explanation: Nothing known.
"""


def validate(path: Path) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("guidance", "validate", str(path), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def refused(path: Path) -> list[str]:
    err = StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("guidance", "validate", str(path), stdout=StringIO(), stderr=err)
    assert raised.value.returncode == 2
    assert "nothing was stored" in str(raised.value)
    return err.getvalue().strip().splitlines()


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "demo.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_pack_and_its_scenarios_are_valid() -> None:
    out, _ = validate(REPO_GUIDANCE / "us-afghan-2021")
    assert "us-afghan-2021@1, 16 rules" in out
    assert "us-afghan-2021@2, 16 rules" in out
    assert "53 scenarios" in out


def test_a_minimal_pack_is_valid(tmp_path: Path) -> None:
    out, _ = validate(write(tmp_path, MINIMAL))
    assert "demo@1, 2 rules" in out


def test_it_rejects_a_yaml_syntax_error_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL.replace("author: Test", "author: [Test"))
    errors = refused(path)
    assert len(errors) == 1
    assert errors[0].startswith(f"{path}:{line_of(MINIMAL, 'author:') + 1}: YAML syntax error")


def test_it_rejects_a_cel_syntax_error_at_the_rule_line(tmp_path: Path) -> None:
    text = MINIMAL.replace("when: is_us_citizen", "when: is_us_citizen &&")
    errors = refused(write(tmp_path, text))
    assert errors == [
        f"{tmp_path / 'demo.yaml'}:{line_of(text, 'is_us_citizen &&')}: rule 'citizens': "
        "CEL syntax error near '&&' (column 15)"
    ]


def test_it_gives_the_line_inside_a_multi_line_condition(tmp_path: Path) -> None:
    text = MINIMAL.replace(
        "when: is_us_citizen", 'when: >\n      is_us_citizen\n      && employment_months > "x"'
    )
    errors = refused(write(tmp_path, text))
    assert f"demo.yaml:{line_of(text, 'employment_months > ')}: " in errors[0]
    assert "cannot compare int with string" in errors[0]


def test_it_rejects_unknown_fact(tmp_path: Path) -> None:
    text = MINIMAL.replace("when: is_us_citizen", "when: employment_month >= 12")
    errors = refused(write(tmp_path, text))
    assert len(errors) == 1
    assert f"demo.yaml:{line_of(text, 'employment_month >=')}: " in errors[0]
    assert "unknown fact 'employment_month' (did you mean 'employment_months'?)" in errors[0]


def test_it_rejects_a_type_error(tmp_path: Path) -> None:
    text = MINIMAL.replace("when: is_us_citizen", 'when: employment_months >= "12"')
    errors = refused(write(tmp_path, text))
    assert "cannot compare int with string" in errors[0]


def test_it_rejects_a_condition_that_is_not_true_or_false(tmp_path: Path) -> None:
    errors = refused(write(tmp_path, MINIMAL.replace("when: is_us_citizen", "when: dependants")))
    assert "the condition must be true or false, but it is int" in errors[0]


def test_it_rejects_a_value_a_fact_never_takes(tmp_path: Path) -> None:
    text = MINIMAL.replace("when: is_us_citizen", 'when: employer_type == "us_govt"')
    errors = refused(write(tmp_path, text))
    assert "'us_govt' is not a value of employer_type (did you mean 'us_government'?)" in errors[0]


def test_it_rejects_an_unknown_pathway(tmp_path: Path) -> None:
    text = MINIMAL.replace("pathway: us_citizen_or_lpr", "pathway: p3")
    errors = refused(write(tmp_path, text))
    assert errors == [
        f"{tmp_path / 'demo.yaml'}:{line_of(text, 'pathway: p3')}: rule 'citizens': unknown pathway 'p3'"
    ]


def test_it_rejects_a_rule_shadowed_by_an_earlier_one(tmp_path: Path) -> None:
    text = MINIMAL.replace(
        "  - id: everyone",
        "  - id: citizens_in_kabul\n"
        '    when: is_us_citizen && current_country == "AF"\n'
        "    pathway: us_citizen_or_lpr\n"
        "    next_action: Help.\n"
        "    explanation: Shadowed.\n"
        "  - id: everyone",
    )
    errors = refused(write(tmp_path, text))
    assert errors == [
        f"{tmp_path / 'demo.yaml'}:{line_of(text, 'id: citizens_in_kabul')}: rule 'citizens_in_kabul' "
        f"can never match: rule 'citizens' (line {line_of(text, 'id: citizens')}) always matches first"
    ]


def test_it_rejects_rules_after_one_that_always_matches(tmp_path: Path) -> None:
    text = MINIMAL.replace("when: is_us_citizen", "when: is_us_citizen || true")
    errors = refused(write(tmp_path, text))
    assert "rule 'everyone' can never match: rule 'citizens'" in errors[0]


def test_it_requires_a_last_rule_that_always_matches(tmp_path: Path) -> None:
    errors = refused(write(tmp_path, MINIMAL.replace('when: "true"', "when: claims_eligibility")))
    assert "the last rule 'everyone' must always match" in errors[0]


def test_it_rejects_unknown_keys_evidence_and_template_fields(tmp_path: Path) -> None:
    text = MINIMAL.replace(
        "    next_action: Help them.", "    next_action: Help {name}.\n    evidence: [passport]"
    ).replace("author: Test", "author: Test\nreviewer: Someone")
    errors = refused(write(tmp_path, text))
    assert len(errors) == 3
    assert any("unknown key 'reviewer' in the pack" in e for e in errors)
    assert any("unknown evidence 'passport'" in e for e in errors)
    assert any("'{name}' is not a fact name" in e for e in errors)


def test_it_reports_every_problem_of_the_shipped_pack_when_broken(tmp_path: Path) -> None:
    text = (
        shipped_version_text()
        .replace('when: siv_stage == "visa_issued"', 'when: siv_stage == "visa"')
        .replace("pathway: p1\n", "pathway: p-one\n")
        .replace("urgent_medical: 40", "urgent_medicine: 40")
    )
    errors = refused(write(tmp_path, text))
    assert len(errors) == 3
    assert all(e.startswith(f"{tmp_path / 'demo.yaml'}:") for e in errors)


def test_an_unquoted_version_number_is_refused(tmp_path: Path) -> None:
    errors = refused(write(tmp_path, MINIMAL.replace('version: "1"', "version: 1.10")))
    assert "'version' must be a string" in errors[0]
