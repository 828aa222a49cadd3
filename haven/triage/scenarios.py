"""A pack's scenarios: facts and the decision they must lead to, run by `haven guidance test`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import yamlload
from .engine import Engine
from .facts import FactsError, clean_facts
from .library import display_name
from .pack import PackInvalid
from .pathways import PATHWAYS
from .yamlload import LocDict, LocList

_EXPECT_KEYS = {"pathway", "rule", "requires_third_country", "evidence_missing"}


@dataclass(frozen=True)
class Scenario:
    name: str
    facts: dict[str, Any]
    expect: dict[str, Any]
    line: int


@dataclass
class ScenarioResult:
    scenario: Scenario
    problems: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems


def load_scenarios(path: Path) -> list[Scenario]:
    """Read and check a scenarios file; raise PackInvalid with `FILE:LINE: message`."""
    name = display_name(path)
    try:
        data = yamlload.load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PackInvalid([f"{name}:1: cannot read: {exc}"]) from exc
    except yamlload.YamlError as exc:
        raise PackInvalid([f"{name}:{exc.line}: {exc.message}"]) from exc
    items = data.get("scenarios") if isinstance(data, LocDict) else None
    if not isinstance(items, LocList):
        raise PackInvalid([f"{name}:1: expected a 'scenarios:' list"])
    errors: list[str] = []
    scenarios = [_scenario(name, item, index, items, errors) for index, item in enumerate(items)]
    if errors:
        raise PackInvalid(errors)
    return [s for s in scenarios if s is not None]


def _scenario(
    name: str, item: Any, index: int, items: LocList, errors: list[str]
) -> Scenario | None:
    line = items.line_of(index)
    if not isinstance(item, LocDict) or not isinstance(item.get("expect"), LocDict):
        errors.append(f"{name}:{line}: a scenario needs 'name', 'facts' and 'expect'")
        return None
    try:
        facts = clean_facts(item.get("facts") or {})
    except FactsError as exc:
        errors.append(f"{name}:{item.line_of('facts')}: fact {exc}")
        return None
    expect = dict(item["expect"])
    unknown = set(expect) - _EXPECT_KEYS
    if unknown or "pathway" not in expect:
        errors.append(f"{name}:{item.line_of('expect')}: 'expect' takes {sorted(_EXPECT_KEYS)}")
    elif expect["pathway"] not in PATHWAYS:
        errors.append(f"{name}:{item.line_of('expect')}: unknown pathway '{expect['pathway']}'")
    return Scenario(
        name=str(item.get("name", f"#{index + 1}")), facts=facts, expect=expect, line=line
    )


def run_scenarios(engine: Engine, scenarios: list[Scenario]) -> list[ScenarioResult]:
    outcomes = []
    for scenario in scenarios:
        decision = engine.decide(scenario.facts, language="en")
        outcome = ScenarioResult(scenario)
        got = {
            "pathway": decision.pathway,
            "rule": decision.rule,
            "requires_third_country": decision.requires_third_country,
        }
        for key, wanted in scenario.expect.items():
            if key == "evidence_missing":
                missing = set(wanted) - set(decision.evidence_missing)
                if missing:
                    outcome.problems.append(
                        f"evidence_missing lacks {sorted(missing)} "
                        f"(got {list(decision.evidence_missing)})"
                    )
            elif got[key] != wanted:
                outcome.problems.append(f"{key}: expected {wanted!r}, got {got[key]!r}")
        outcomes.append(outcome)
    return outcomes
