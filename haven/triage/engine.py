"""Applying a pack to a case's facts: first matching rule wins, with its explanation.

Each rule is compiled once per pack version. Evaluating CEL in pure Python
costs a fraction of a millisecond per rule, too slow for a million cases, but
cases share their *relevant* facts: a rule only ever compares
`employment_months` with 12, so 13 and 200 months decide alike. The engine
maps each fact to the class of values the pack can tell apart (from the
literals the checker recorded) and memoises each rule's outcome per class
tuple of the facts that rule reads.
"""

from __future__ import annotations

import bisect
import functools
import logging
import string
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any

from celpy import celtypes
from celpy.evaluation import CELEvalError
from django.utils import translation
from django.utils.translation import gettext as _

from haven.intake.fact_labels import CHOICE_LABELS

from . import celcheck
from .facts import FACTS, INT, LIST
from .pack import Pack, Rule, localized

logger = logging.getLogger(__name__)

PRIORITY_FACTS = ("vulnerabilities", "current_country", "siv_stage", "days_waiting", "dependants")
_OTHER = "\x00other"


@dataclass(frozen=True)
class Decision:
    guidance: str
    rule: str
    pathway: str
    next_action: str
    evidence_missing: tuple[str, ...]
    requires_third_country: bool
    priority: int
    priority_breakdown: dict[str, float]
    explanation: str
    facts_used: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "pathway": self.pathway,
            "rule": self.rule,
            "guidance": self.guidance,
            "next_action": self.next_action,
            "evidence_missing": list(self.evidence_missing),
            "requires_third_country": self.requires_third_country,
            "priority": self.priority,
            "priority_breakdown": self.priority_breakdown,
            "explanation": self.explanation,
        }


def _to_cel(value: Any) -> Any:
    if isinstance(value, bool):
        return celtypes.BoolType(value)
    if isinstance(value, int):
        return celtypes.IntType(value)
    if isinstance(value, list | tuple):
        return celtypes.ListType([celtypes.StringType(v) for v in value])
    return celtypes.StringType(value)


def _abstraction(name: str, pack: Pack) -> Callable[[Any], Hashable]:
    """The value classes of one fact that this pack's rules can tell apart."""
    spec = FACTS[name]
    literals = pack.fact_literals.get(name, frozenset())
    if name in pack.raw_facts or not literals:
        return lambda value: tuple(value) if isinstance(value, list) else value
    if spec.kind == INT:
        thresholds = sorted(literals)
        exact = frozenset(literals)
        return lambda value: (bisect.bisect_left(thresholds, value), value in exact)
    if spec.kind == LIST:
        return lambda value: tuple(item for item in value if item in literals)
    return lambda value: value if value in literals else _OTHER


class _Unknown(dict[str, Any]):
    def __init__(self, facts: Mapping[str, Any], texts: dict[str, str]) -> None:
        super().__init__(facts)
        self.texts = texts

    def __missing__(self, key: str) -> str:
        return self.texts["unknown"]


class Engine:
    def __init__(self, pack: Pack) -> None:
        self.pack = pack
        self.programs = [celcheck.compile_program(rule.when) for rule in pack.rules]
        names = sorted({name for rule in pack.rules for name in rule.facts})
        self.abstractions = {name: _abstraction(name, pack) for name in names}
        # Per rule: outcome (True, False, or None for "needs an unknown fact")
        # by the value classes of the facts that rule reads. A rule reads one to
        # three facts, so these tables stay tiny whatever the cases look like.
        self.memo: list[dict[tuple[Hashable, ...], bool | None]] = [{} for _ in pack.rules]
        self.evaluations = 0
        # Rendered (next action, explanation) per rule, language and the values
        # of the facts those two texts name: most cases share them.
        self.texts: dict[tuple[Hashable, ...], tuple[str, str]] = {}
        self.text_fields: dict[tuple[int, str], tuple[str, ...]] = {}

        # The whole match by the classes of every fact the rules read: one
        # lookup per case instead of one per rule tried.
        self.matches: dict[tuple[Hashable, ...], tuple[int, tuple[str, ...]]] = {}

    def match(self, facts: Mapping[str, Any]) -> tuple[int, tuple[str, ...]]:
        """The index of the first matching rule, and the unknown facts that
        kept an earlier rule from being decided."""
        get = facts.get
        key = tuple(
            None if (value := get(name)) is None else abstract(value)
            for name, abstract in self.abstractions.items()
        )
        found = self.matches.get(key)
        if found is None:
            if len(self.matches) >= 200_000:
                self.matches.clear()
            found = self.matches[key] = self._match(
                dict(zip(self.abstractions, key, strict=True)), facts
            )
        return found

    def _match(
        self, classes: dict[str, Hashable], facts: Mapping[str, Any]
    ) -> tuple[int, tuple[str, ...]]:
        blocked: list[str] = []
        for index, rule in enumerate(self.pack.rules):
            memo = self.memo[index]
            key = tuple(classes[name] for name in rule.facts)
            if key in memo:
                outcome = memo[key]
            else:
                outcome = memo[key] = self._evaluate(index, facts)
            if outcome:
                return index, tuple(blocked)
            if outcome is None:
                blocked.extend(n for n in rule.facts if facts.get(n) is None and n not in blocked)
        # Validation guarantees the last rule always matches; this is a safeguard.
        return len(self.pack.rules) - 1, tuple(blocked)

    def _evaluate(self, index: int, facts: Mapping[str, Any]) -> bool | None:
        rule = self.pack.rules[index]
        activation = {
            name: _to_cel(facts[name]) for name in rule.facts if facts.get(name) is not None
        }
        self.evaluations += 1
        try:
            return bool(self.programs[index].evaluate(activation))
        except CELEvalError:
            if all(facts.get(name) is not None for name in rule.facts):
                logger.warning("rule %s failed on known facts", rule.id)
            return None

    def decide(self, facts: Mapping[str, Any], language: str | None = None) -> Decision:
        index, blocked = self.match(facts)
        rule = self.pack.rules[index]
        priority, breakdown = priority_score(self.pack, facts)
        evidence = list(rule.evidence) + [f for f in blocked if f not in rule.evidence]
        used = {name for r in self.pack.rules[: index + 1] for name in r.facts}
        used.update(PRIORITY_FACTS)
        next_action, explanation = self._texts(index, facts, language)
        return Decision(
            guidance=self.pack.label,
            rule=rule.id,
            pathway=rule.pathway,
            next_action=next_action,
            evidence_missing=tuple(evidence),
            requires_third_country=must_leave_afghanistan(rule, facts),
            priority=priority,
            priority_breakdown=breakdown,
            explanation=explanation,
            facts_used={name: facts.get(name) for name in sorted(used)},
        )

    def _texts(self, index: int, facts: Mapping[str, Any], language: str | None) -> tuple[str, str]:
        language = language or translation.get_language() or "en"
        fields = self.text_fields.get((index, language))
        if fields is None:
            rule = self.pack.rules[index]
            fields = self.text_fields[(index, language)] = tuple(
                sorted(
                    {
                        name
                        for text in (rule.next_action, rule.explanation)
                        for _, name, _, _ in string.Formatter().parse(localized(text, language))
                        if name
                    }
                )
            )
        values = tuple(_hashable(facts.get(name)) for name in fields)
        key = (index, language, values)
        texts = self.texts.get(key)
        if texts is None:
            if len(self.texts) >= 100_000:
                self.texts.clear()
            rule = self.pack.rules[index]
            texts = self.texts[key] = (
                render(rule.next_action, facts, language),
                render(rule.explanation, facts, language),
            )
        return texts

    def rule(self, rule_id: str) -> Rule | None:
        return next((r for r in self.pack.rules if r.id == rule_id), None)


def must_leave_afghanistan(rule: Rule, facts: Mapping[str, Any]) -> bool:
    """A rule's `requires_third_country` says its pathway cannot be completed inside
    Afghanistan; the decision requires a third country only for someone who must still
    leave: in Afghanistan, or where they are is unknown (unknown is never "no")."""
    return rule.requires_third_country and facts.get("current_country") in (None, "AF")


def _hashable(value: Any) -> Hashable:
    # Typed apart, so that True and 1 never share a key.
    return (type(value), tuple(value) if isinstance(value, list) else value)


def _shown(value: Any, texts: dict[str, str]) -> str:
    if isinstance(value, bool):
        return texts["yes"] if value else texts["no"]
    if isinstance(value, list):
        return (
            ", ".join(texts.get(f"choice:{v}", str(v)) for v in value) if value else texts["none"]
        )
    # A fact's code ("us_funded_program") reads as its label in the text's language.
    return texts.get(f"choice:{value}", str(value)) if isinstance(value, str) else str(value)


@functools.lru_cache(maxsize=32)
def _words(language: str) -> dict[str, str]:
    """The words facts are shown with, looked up once per language (gettext is slow)."""
    with translation.override(language):
        words = {"unknown": _("unknown"), "yes": _("yes"), "no": _("no"), "none": _("none")}
        words.update({f"choice:{code}": str(label) for code, label in CHOICE_LABELS.items()})
        return words


def render(template: Any, facts: Mapping[str, Any], language: str | None = None) -> str:
    """Fill a rule's text with the facts; validation allows only fact names in it."""
    language = language or translation.get_language() or "en"
    texts = _words(language)
    shown = {name: _shown(value, texts) for name, value in facts.items() if value is not None}
    return str(localized(template, language).format_map(_Unknown(shown, texts)))


def _round(value: float) -> float:
    rounded = round(value, 2)
    return int(rounded) if rounded == int(rounded) else rounded


def priority_score(pack: Pack, facts: Mapping[str, Any]) -> tuple[int, dict[str, float]]:
    """The documented score (docs/triage.md): a sum of weighted parts, unknowns count 0."""
    weights = pack.priority
    days = facts.get("days_waiting") or 0
    dependants = facts.get("dependants") or 0
    breakdown = {
        "vulnerabilities": sum(
            weights.vulnerabilities.get(v, 0.0) for v in facts.get("vulnerabilities") or ()
        ),
        "location": weights.current_country.get(facts.get("current_country") or "", 0.0),
        "siv_stage": weights.siv_stage.get(facts.get("siv_stage") or "", 0.0),
        "days_waiting": min(days * weights.days_waiting_per_day, weights.days_waiting_max),
        "dependants": min(dependants * weights.dependants_per_person, weights.dependants_max),
    }
    return round(sum(breakdown.values())), {k: _round(v) for k, v in breakdown.items()}


_ENGINES: dict[str, Engine] = {}


def engine_for(pack: Pack) -> Engine:
    """One compiled engine per pack version and process."""
    engine = _ENGINES.get(pack.sha256)
    if engine is None:
        if len(_ENGINES) >= 16:
            _ENGINES.clear()
        engine = _ENGINES[pack.sha256] = Engine(pack)
    return engine
