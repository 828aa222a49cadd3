"""Guidance packs: reading one version file and refusing it whole if anything is wrong.

A pack version is a YAML file (see docs/triage.md for the format). Validation
collects every problem as `FILE:LINE: message`; a pack with any problem is
never returned, so it can never be stored or activated.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
import string
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import get_language

from . import celcheck, yamlload
from .facts import FACTS, SIV_STAGES, VULNERABILITIES
from .pathways import PATHWAYS
from .yamlload import LocDict, LocList

# Text shown to people: one string (English) or a mapping of language code to string.
Text = str | dict[str, str]

_TOP_KEYS = {
    "pack": True,
    "version": True,
    "effective_date": True,
    "author": True,
    "change_note": True,
    "rules": True,
    "priority": True,
    "pathway_targets_days": False,
    "pathway_referrals": False,
    "evidence": False,
}
_RULE_KEYS = {
    "id": True,
    "when": True,
    "pathway": True,
    "next_action": True,
    "explanation": True,
    "evidence": False,
    "requires_third_country": False,
}
_PRIORITY_KEYS = {"vulnerabilities", "current_country", "siv_stage", "days_waiting", "dependants"}


def localized(text: Text, language: str | None = None) -> str:
    """The text in the given (or current) language, falling back to English."""
    if isinstance(text, str):
        return text
    language = (language or get_language() or "en").lower()
    for code in (language, language.split("-")[0], "en"):
        if code in text:
            return text[code]
    return next(iter(text.values()), "")


@dataclass(frozen=True)
class Rule:
    id: str
    when: str
    pathway: str
    next_action: Text
    explanation: Text
    evidence: tuple[str, ...]
    requires_third_country: bool
    line: int
    # Facts the condition reads, in order of first use.
    facts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Priority:
    vulnerabilities: dict[str, float]
    current_country: dict[str, float]
    siv_stage: dict[str, float]
    days_waiting_per_day: float
    days_waiting_max: float
    dependants_per_person: float
    dependants_max: float


@dataclass(frozen=True)
class PathwayReferral:
    """The partner and service a pathway's cases are referred to by default (the bulk page,
    `haven referral send --queue`), as the pack names them: the partner by slug (its name in
    lower case with hyphens, "unhcr-pakistan") or HSDS id, the service by kind ("protection")
    or HSDS id. Triage checks only that shape; referrals finds them in the directory."""

    partner: str
    service: str
    line: int


@dataclass(frozen=True)
class Pack:
    pack: str
    version: str
    effective_date: dt.date
    author: str
    change_note: str
    rules: tuple[Rule, ...]
    priority: Priority
    pathway_targets_days: dict[str, int]
    evidence: dict[str, Text]
    source: str
    source_name: str
    # Literals each fact is compared with across all rules; facts used otherwise are raw.
    fact_literals: dict[str, frozenset[Any]] = field(default_factory=dict)
    raw_facts: frozenset[str] = frozenset()
    pathway_referrals: dict[str, PathwayReferral] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"{self.pack}@{self.version}"

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.source.encode()).hexdigest()

    def evidence_label(self, code: str) -> str:
        if code in self.evidence:
            return localized(self.evidence[code])
        spec = FACTS.get(code)
        return str(spec.label) if spec is not None else code


class PackInvalid(ValueError):
    """Every problem found, each already formatted as `FILE:LINE: message`."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


class _Problems:
    def __init__(self, name: str, source: str = "") -> None:
        self.name = name
        self.errors: list[str] = []
        self.lines = source.splitlines()

    def folded_line(self, base: int, column: int) -> int:
        """The file line of a column in a folded (`>`) scalar, whose lines YAML joined with spaces."""
        position = 0
        line = base
        for text in self.lines[base - 1 :]:
            length = len(text.strip())
            if not length:
                break
            if column <= position + length + 1:
                return line
            position += length + 1
            line += 1
        return base

    def add(self, line: int, message: str) -> None:
        self.errors.append(f"{self.name}:{line}: {message}")


# Validation is a pure function of the text and its name, and costs 0.2-0.4 s (the YAML
# loader keeps line numbers in pure Python; every rule's CEL is compiled and checked for
# reachability). The same few versions are read again at every activation, `haven guidance`
# run and library lookup (hundreds of times in the test suite), so each text is validated once
# per process. A text with problems raises every time (exceptions are not cached). The Pack is
# shared, as stored_pack (selectors.py) already shares it: callers only read it.
@functools.lru_cache(maxsize=32)
def parse_pack(source: str, source_name: str) -> Pack:
    """Validate a pack version; raise PackInvalid listing every problem."""
    problems = _Problems(source_name, source)
    try:
        data = yamlload.load(source)
    except yamlload.YamlError as exc:
        raise PackInvalid([f"{source_name}:{exc.line}: {exc.message}"]) from exc
    if not isinstance(data, LocDict):
        raise PackInvalid([f"{source_name}:1: a pack version must be a YAML mapping"])
    _check_keys(problems, data, _TOP_KEYS, "the pack")
    header = _header(problems, data)
    evidence = _evidence_catalogue(problems, data)
    rules, literals, raw = _rules(problems, data, evidence)
    priority = _priority(problems, data)
    targets = _targets(problems, data)
    pathway_referrals = _pathway_referrals(problems, data)
    if problems.errors:
        raise PackInvalid(problems.errors)
    return Pack(
        **header,
        rules=tuple(rules),
        priority=priority,
        pathway_targets_days=targets,
        evidence=evidence,
        source=source,
        source_name=source_name,
        fact_literals={name: frozenset(values) for name, values in literals.items()},
        raw_facts=frozenset(raw),
        pathway_referrals=pathway_referrals,
    )


def _check_keys(problems: _Problems, data: LocDict, keys: dict[str, bool], what: str) -> None:
    for key in data:
        if key not in keys:
            problems.add(data.line_of(key), f"unknown key '{key}' in {what}")
    for key, required in keys.items():
        if required and key not in data:
            problems.add(data.line, f"{what} needs '{key}'")


def _string(problems: _Problems, data: LocDict, key: str) -> str:
    value = data.get(key)
    if key in data and not isinstance(value, str):
        problems.add(data.line_of(key), f"'{key}' must be a string (quote it: \"{value}\")")
        return ""
    return value or ""


def _header(problems: _Problems, data: LocDict) -> dict[str, Any]:
    effective = data.get("effective_date")
    if "effective_date" in data and not isinstance(effective, dt.date):
        problems.add(data.line_of("effective_date"), "'effective_date' must be a date: YYYY-MM-DD")
        effective = None
    pack = _string(problems, data, "pack")
    if pack and not all(c.isalnum() or c in "-_." for c in pack):
        problems.add(data.line_of("pack"), "'pack' may hold only letters, digits, '-', '_', '.'")
    version = _string(problems, data, "version")
    if "@" in version or "/" in version:
        problems.add(data.line_of("version"), "'version' may not contain '@' or '/'")
    return {
        "pack": pack,
        "version": version,
        "effective_date": effective or dt.date.min,
        "author": _string(problems, data, "author"),
        "change_note": _string(problems, data, "change_note"),
    }


def _text(problems: _Problems, line: int, value: Any, what: str) -> Text:
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, dict) and value and all(isinstance(v, str) for v in value.values()):
        if "en" not in value:
            problems.add(line, f"{what} needs an English ('en') text to fall back on")
        return {str(k).lower(): v.strip() for k, v in value.items()}
    problems.add(line, f"{what} must be text, or a mapping of language code to text")
    return ""


def _evidence_catalogue(problems: _Problems, data: LocDict) -> dict[str, Text]:
    if "evidence" not in data:
        return {}
    catalogue = data["evidence"]
    if not isinstance(catalogue, LocDict):
        problems.add(data.line_of("evidence"), "'evidence' must map codes to their description")
        return {}
    result: dict[str, Text] = {}
    for code, text in catalogue.items():
        if code in FACTS:
            problems.add(catalogue.line_of(code), f"evidence code '{code}' is a fact's name")
        result[code] = _text(problems, catalogue.line_of(code), text, f"evidence '{code}'")
    return result


def _template_fields(problems: _Problems, line: int, text: Text, what: str) -> None:
    """Templates may name facts as {fact}; anything else would fail at run time."""
    texts = [text] if isinstance(text, str) else list(text.values())
    for value in texts:
        try:
            parsed = list(string.Formatter().parse(value))
        except ValueError as exc:
            problems.add(line, f"{what}: {exc}")
            continue
        for _, name, spec, conversion in parsed:
            if name is None:
                continue
            if name not in FACTS or spec or conversion:
                problems.add(line, f"{what}: '{{{name}}}' is not a fact name")


def _rules(
    problems: _Problems, data: LocDict, evidence: dict[str, Text]
) -> tuple[list[Rule], dict[str, set[Any]], set[str]]:
    raw_rules = data.get("rules")
    if not isinstance(raw_rules, LocList) or not raw_rules:
        if "rules" in data:
            problems.add(data.line_of("rules"), "'rules' must be a non-empty list")
        return [], {}, set()
    rules: list[Rule] = []
    trees: list[Any] = []
    literals: dict[str, set[Any]] = {}
    raw: set[str] = set()
    for index, item in enumerate(raw_rules):
        if not isinstance(item, LocDict):
            problems.add(raw_rules.line_of(index), "each rule must be a mapping")
            continue
        rule, tree, check = _rule(problems, item, evidence)
        for name, values in check.literals.items():
            literals.setdefault(name, set()).update(values)
        raw |= check.raw_facts
        rules.append(rule)
        trees.append(tree)
    _check_ids(problems, rules)
    _check_reachability(problems, rules, trees)
    return rules, literals, raw


def _rule(
    problems: _Problems, item: LocDict, evidence: dict[str, Text]
) -> tuple[Rule, Any, celcheck.CelCheck]:
    _check_keys(problems, item, _RULE_KEYS, f"rule '{item.get('id', '?')}'")
    rule_id = _string(problems, item, "id")
    when = item.get("when")
    if isinstance(when, bool):
        when = "true" if when else "false"
    tree, check = None, celcheck.CelCheck()
    if isinstance(when, str):
        tree, check = celcheck.check(when)
        base = item.value_line_of("when")
        folded = item.value_styles.get("when") == ">"
        for issue in check.issues:
            line = problems.folded_line(base, issue.column) if folded else base + issue.line - 1
            problems.add(line, f"rule '{rule_id}': {issue.message}")
    elif "when" in item:
        problems.add(item.line_of("when"), f"rule '{rule_id}': 'when' must be a CEL expression")
    pathway = _string(problems, item, "pathway")
    if pathway and pathway not in PATHWAYS:
        problems.add(item.line_of("pathway"), f"rule '{rule_id}': unknown pathway '{pathway}'")
    texts = {}
    for key in ("next_action", "explanation"):
        line = item.line_of(key)
        texts[key] = _text(problems, line, item.get(key), f"rule '{rule_id}' {key}")
        _template_fields(problems, line, texts[key], f"rule '{rule_id}' {key}")
    codes = item.get("evidence") or []
    if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
        problems.add(item.line_of("evidence"), f"rule '{rule_id}': 'evidence' must list codes")
        codes = []
    for code in codes:
        if code not in evidence:
            problems.add(item.line_of("evidence"), f"rule '{rule_id}': unknown evidence '{code}'")
    third = item.get("requires_third_country", False)
    if not isinstance(third, bool):
        problems.add(item.line_of("requires_third_country"), "must be true or false")
    rule = Rule(
        id=rule_id,
        when=when if isinstance(when, str) else "",
        pathway=pathway,
        next_action=texts["next_action"],
        explanation=texts["explanation"],
        evidence=tuple(codes),
        requires_third_country=third is True,
        line=item.line,
        facts=tuple(check.facts),
    )
    return rule, tree, check


def _check_ids(problems: _Problems, rules: list[Rule]) -> None:
    seen: dict[str, int] = {}
    for rule in rules:
        if rule.id in seen:
            problems.add(
                rule.line, f"rule id '{rule.id}' is used twice (first at line {seen[rule.id]})"
            )
        seen.setdefault(rule.id, rule.line)


def _check_reachability(problems: _Problems, rules: list[Rule], trees: list[Any]) -> None:
    if any(tree is None for tree in trees):
        return  # a syntax error was reported already; nothing sound to say.
    parts = [celcheck.conjuncts(tree) for tree in trees]
    for later, rule in enumerate(rules):
        for earlier in range(later):
            if celcheck.always_matches(trees[earlier]) or parts[earlier] <= parts[later]:
                first = rules[earlier]
                problems.add(
                    rule.line,
                    f"rule '{rule.id}' can never match: rule '{first.id}' "
                    f"(line {first.line}) always matches first",
                )
                break
    if rules and not celcheck.always_matches(trees[-1]):
        problems.add(
            rules[-1].line,
            f"the last rule '{rules[-1].id}' must always match (when: \"true\"), "
            "so that every case, even one with unknown facts, gets a pathway",
        )


def _weights(problems: _Problems, data: LocDict, key: str, allowed: Any) -> dict[str, float]:
    if key not in data:
        return {}
    raw = data[key]
    if not isinstance(raw, LocDict):
        problems.add(data.line_of(key), f"priority '{key}' must map values to weights")
        return {}
    weights: dict[str, float] = {}
    for name, weight in raw.items():
        if allowed is not None and name not in allowed:
            problems.add(raw.line_of(name), f"priority '{key}': unknown value '{name}'")
        if isinstance(weight, bool) or not isinstance(weight, int | float):
            problems.add(raw.line_of(name), f"priority '{key}.{name}' must be a number")
            continue
        weights[name] = float(weight)
    return weights


def _linear(problems: _Problems, data: LocDict, key: str, per: str) -> tuple[float, float]:
    if key not in data:
        return 0.0, 0.0
    raw = data[key]
    if not isinstance(raw, LocDict) or set(raw) - {per, "max"}:
        problems.add(data.line_of(key), f"priority '{key}' takes '{per}' and 'max'")
        return 0.0, 0.0
    values = []
    for name in (per, "max"):
        value = raw.get(name, 0)
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            problems.add(raw.line_of(name), f"priority '{key}.{name}' must be a number ≥ 0")
            value = 0
        values.append(float(value))
    return values[0], values[1]


def _priority(problems: _Problems, data: LocDict) -> Priority:
    raw = data.get("priority")
    if not isinstance(raw, LocDict):
        if "priority" in data:
            problems.add(data.line_of("priority"), "'priority' must be a mapping")
        raw = LocDict()
        raw.key_lines, raw.value_lines, raw.value_styles = {}, {}, {}
    for key in raw:
        if key not in _PRIORITY_KEYS:
            problems.add(raw.line_of(key), f"unknown priority component '{key}'")
    country = _weights(problems, raw, "current_country", None)
    for code in country:
        if len(code) != 2 or not code.isupper():
            problems.add(raw.line, f"priority 'current_country': '{code}' is not an ISO code")
    per_day, day_max = _linear(problems, raw, "days_waiting", "per_day")
    per_person, person_max = _linear(problems, raw, "dependants", "per_dependant")
    return Priority(
        vulnerabilities=_weights(problems, raw, "vulnerabilities", VULNERABILITIES),
        current_country=country,
        siv_stage=_weights(problems, raw, "siv_stage", SIV_STAGES),
        days_waiting_per_day=per_day,
        days_waiting_max=day_max,
        dependants_per_person=per_person,
        dependants_max=person_max,
    )


def _targets(problems: _Problems, data: LocDict) -> dict[str, int]:
    if "pathway_targets_days" not in data:
        return {}
    raw = data["pathway_targets_days"]
    if not isinstance(raw, LocDict):
        problems.add(data.line_of("pathway_targets_days"), "must map pathways to days")
        return {}
    targets: dict[str, int] = {}
    for pathway, days in raw.items():
        if pathway not in PATHWAYS:
            problems.add(raw.line_of(pathway), f"unknown pathway '{pathway}'")
        if isinstance(days, bool) or not isinstance(days, int) or days <= 0:
            problems.add(raw.line_of(pathway), f"target for '{pathway}' must be whole days > 0")
            continue
        targets[pathway] = days
    return targets


_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_KIND = re.compile(r"^[a-z][a-z0-9_]*$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")


def _pathway_referrals(problems: _Problems, data: LocDict) -> dict[str, PathwayReferral]:
    """`pathway_referrals: {PATHWAY: {partner: SLUG_OR_HSDS_ID, service: KIND_OR_HSDS_ID}}`."""
    if "pathway_referrals" not in data:
        return {}
    raw = data["pathway_referrals"]
    if not isinstance(raw, LocDict):
        problems.add(
            data.line_of("pathway_referrals"),
            "'pathway_referrals' must map pathways to {partner: ..., service: ...}",
        )
        return {}
    found: dict[str, PathwayReferral] = {}
    for pathway, spec in raw.items():
        line = raw.line_of(pathway)
        if pathway not in PATHWAYS:
            problems.add(line, f"pathway_referrals: unknown pathway '{pathway}'")
        if not isinstance(spec, LocDict):
            problems.add(
                line, f"pathway_referrals '{pathway}' must be {{partner: ..., service: ...}}"
            )
            continue
        _check_keys(
            problems, spec, {"partner": True, "service": True}, f"pathway_referrals '{pathway}'"
        )
        partner, service = spec.get("partner"), spec.get("service")
        if "partner" in spec and not (
            isinstance(partner, str) and (_SLUG.match(partner) or _UUID.match(partner))
        ):
            problems.add(
                spec.line_of("partner"),
                f"pathway_referrals '{pathway}': partner must be an organisation's slug "
                "(lower-case name with hyphens, like unhcr-pakistan) or its HSDS id",
            )
        if "service" in spec and not (
            isinstance(service, str) and (_KIND.match(service) or _UUID.match(service))
        ):
            problems.add(
                spec.line_of("service"),
                f"pathway_referrals '{pathway}': service must be a kind of service (like "
                "protection) or a service's HSDS id",
            )
        if isinstance(partner, str) and isinstance(service, str):
            found[pathway] = PathwayReferral(partner=partner, service=service, line=line)
    return found
