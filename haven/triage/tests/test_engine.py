"""The engine's memo gives exactly what evaluating every rule afresh gives."""

from __future__ import annotations

import random
from typing import Any

from celpy.evaluation import CELEvalError

from haven.triage import celcheck, library
from haven.triage.engine import Engine, _to_cel
from haven.triage.facts import FACTS, LIST


def random_facts(rng: random.Random) -> dict[str, Any]:
    facts: dict[str, Any] = {}
    for name, spec in FACTS.items():
        if rng.random() < 0.15:
            continue  # unknown
        if spec.kind == "bool":
            facts[name] = rng.random() < 0.3
        elif spec.kind == "int":
            facts[name] = rng.choice([0, 5, 11, 12, 13, 40, 200])
        elif spec.kind == "country":
            facts[name] = rng.choice(["AF", "PK", "IR", "US", "DE"])
        elif spec.kind == LIST:
            facts[name] = sorted(rng.sample(list(spec.choices or ()), rng.randint(0, 2)))
        else:
            facts[name] = rng.choice(list(spec.choices or ()))
    return facts


def first_match_without_memo(engine: Engine, facts: dict[str, Any]) -> str:
    activation = {k: _to_cel(v) for k, v in facts.items()}
    for rule in engine.pack.rules:
        try:
            if bool(celcheck.compile_program(rule.when).evaluate(activation)):
                return rule.id
        except CELEvalError:
            continue
    raise AssertionError("the last rule always matches")


def test_memoised_decisions_equal_fresh_evaluation() -> None:
    engine = Engine(library.find("us-afghan-2021@1"))
    rng = random.Random(2021)
    samples = [random_facts(rng) for _ in range(400)]
    for facts in samples:
        assert engine.decide(facts).rule == first_match_without_memo(engine, facts), facts
    # Each rule is evaluated once per class of the facts it reads, not once per case.
    assert engine.evaluations < len(engine.pack.rules) * 25


def test_equal_classes_share_one_evaluation() -> None:
    engine = Engine(library.find("us-afghan-2021@1"))
    base = {"nationality": "AF", "employer_type": "us_government", "siv_stage": "none"}
    engine.decide({**base, "employment_months": 13})
    evaluations = engine.evaluations
    decision = engine.decide({**base, "employment_months": 200})
    assert engine.evaluations == evaluations
    assert decision.pathway == "siv_apply"
    assert "200 months" in decision.explanation
