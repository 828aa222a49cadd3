"""What later apps tell cases, registered in their AppConfig.ready().

Cases must not import triage or referrals (app order), yet its list shows ageing against the
pathway's target (guidance lives in triage) and filters on open referrals. Those apps register
a provider here when Django starts; with nothing registered, cases works without them (no
target, no such filter). Registering again replaces (ready() may run twice).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils.functional import Promise

from haven.common.registry import Slot

# How a pathway code reads to staff, in their language ("Refer to UNHCR"): triage's vocabulary.
pathway_labeller: Slot[Callable[[str], str]] = Slot("a pathway code in words")

_targets: list[Callable[[], dict[str, int]]] = []


def register_pathway_targets(provider: Callable[[], dict[str, int]]) -> None:
    """`provider()` gives each pathway's target in days (the active guidance's)."""
    _targets[:] = [provider]


def pathway_targets() -> dict[str, int]:
    return dict(_targets[0]()) if _targets else {}


@dataclass(frozen=True)
class CaseCondition:
    """A yes/no filter of the case list that another app knows how to answer."""

    name: str
    label: str | Promise
    # A condition on Case rows (Case.objects.filter(build())).
    build: Callable[[], Q]


_conditions: dict[str, CaseCondition] = {}


def register_condition(*, name: str, label: str | Promise, build: Callable[[], Q]) -> None:
    _conditions[name] = CaseCondition(name=name, label=label, build=build)


def condition(name: str) -> CaseCondition | None:
    return _conditions.get(name)


# Overdue tasks per user (a caseload column), from the app that holds tasks, once it registers.
_overdue_tasks: list[Callable[[list[int]], dict[int, int]]] = []


def register_overdue_tasks(provider: Callable[[list[int]], dict[int, int]]) -> None:
    """`provider(user_ids)` gives, per user id, how many open tasks of theirs are past due."""
    _overdue_tasks[:] = [provider]


def overdue_tasks(user_ids: list[int]) -> dict[int, int] | None:
    """Per user, or None when no app keeps tasks (the caseload page then leaves the column out)."""
    return _overdue_tasks[0](user_ids) if _overdue_tasks else None


_pathways: list[Callable[[], list[tuple[str, str]]]] = []


def register_pathway_choices(provider: Callable[[], list[tuple[str, str]]]) -> None:
    """`provider()` gives every pathway a pack may name, as (code, label in the reader's
    language): the case list's pathway filter offers these."""
    _pathways[:] = [provider]


def pathway_choices() -> list[tuple[str, str]]:
    return list(_pathways[0]()) if _pathways else []


# Cases opened by staff outside intake (a household split): triage tells cases how to triage
# them, as intake's pipeline would (cases cannot import triage).
_opened: list[Callable[..., None]] = []


def register_cases_opened(handler: Callable[..., None]) -> None:
    """`handler(cases=[Case], actor=User | None)`, inside the transaction that opened them."""
    _opened[:] = [handler]


def cases_opened_notify(*, cases: list[Any], actor: Any) -> None:
    for handler in _opened:
        handler(cases=cases, actor=actor)


# Households staff changed (members added, removed, moved; data entered): triage re-decides
# them, since how many people a household has is one of the facts guidance reads.
_household_changed: list[Callable[..., None]] = []


def register_household_changed(handler: Callable[..., None]) -> None:
    """`handler(cases=[Case], actor=User | None)`, inside the transaction that changed them."""
    _household_changed[:] = [handler]


def household_changed_notify(*, cases: list[Any], actor: Any) -> None:
    for handler in _household_changed:
        handler(cases=cases, actor=actor)


# What a checklist item's code means in words (the guidance pack's evidence labels, a fact's
# label), from triage, which knows both; with nothing registered the stored title shows.
_evidence_labels: list[Callable[[str], str | None]] = []


def register_evidence_label(provider: Callable[[str], str | None]) -> None:
    """`provider(code)` gives an evidence code's (or fact's) label in the reader's language,
    or None for a code it does not know."""
    _evidence_labels[:] = [provider]


def evidence_label(code: str) -> str | None:
    return _evidence_labels[0](code) if _evidence_labels and code else None


# Which still-needed items a case already holds (from its identifiers, documents and facts),
# from triage; called when documents arrive, so that the checklist ticks itself off.
_evidence_rechecks: list[Callable[..., None]] = []


def register_evidence_recheck(recheck: Callable[..., None]) -> None:
    """`recheck(case=, kinds=, actor=)` re-checks a case's checklist after documents of these
    kinds arrived (it calls cases.services_tasks.case_evidence_tasks_sync)."""
    _evidence_rechecks[:] = [recheck]


def evidence_recheck() -> Callable[..., None] | None:
    return _evidence_rechecks[0] if _evidence_rechecks else None
