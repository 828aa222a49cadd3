"""Facts that stick: where each fact of a case came from, and which source wins.

Precedence, lowest first (models.FactSource): a request's answer, what Haven works out
(`dependants`, from the household's active members), a caseworker's correction.

- A fact the case does not know yet is simply taken from the request that tells it.
- A request that says something else than a fact the case knows changes nothing: it
  becomes "new information to review" (models.FactReview) for a caseworker to accept or
  dismiss, so a later request never silently overwrites a fact or re-triages the case.
- `dependants` is the number of the household's active members besides the principal,
  never a request's row count, unless a caseworker corrected it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from .facts import FACTS
from .models import FactSource

DERIVED_FROM_MEMBERS = "dependants"


def source_of(sources: dict[str, Any], name: str) -> str:
    """Where a fact came from; a fact stored before sources were kept counts as a request's."""
    entry = sources.get(name)
    return str(entry.get("source", FactSource.REQUEST)) if isinstance(entry, dict) else "request"


def request_source(request_id: int | None) -> dict[str, Any]:
    return {"source": FactSource.REQUEST, "request": request_id}


def caseworker_source(user_id: int | None, **extra: Any) -> dict[str, Any]:
    return {
        "source": FactSource.CASEWORKER,
        "by": user_id,
        "at": timezone.now().isoformat(timespec="seconds"),
        **extra,
    }


@dataclass(frozen=True)
class Contradiction:
    fact: str
    old: Any
    new: Any
    old_source: str
    request_id: int | None


@dataclass
class Merged:
    facts: dict[str, Any]
    sources: dict[str, Any]
    changed: bool = False
    contradictions: list[Contradiction] = field(default_factory=list)


def merge_request_facts(
    *,
    facts: dict[str, Any],
    sources: dict[str, Any],
    answers: Iterable[tuple[int | None, dict[str, Any]]],
    dependants: int | None,
) -> Merged:
    """The case's facts after these requests (request id, answers), in order, and the
    contradictions to review; `dependants` is the household's count (None: no members)."""
    merged = Merged(facts=dict(facts), sources=dict(sources))
    seen: set[tuple[str, str]] = set()
    for request_id, given in answers:
        for name, value in given.items():
            if name == DERIVED_FROM_MEMBERS and dependants is not None:
                continue  # the household says how many, not a request's row count
            if name not in merged.facts:
                merged.facts[name] = value
                merged.sources[name] = request_source(request_id)
                merged.changed = True
            elif merged.facts[name] != value and (name, repr(value)) not in seen:
                seen.add((name, repr(value)))
                merged.contradictions.append(
                    Contradiction(
                        fact=name,
                        old=merged.facts[name],
                        new=value,
                        old_source=source_of(merged.sources, name),
                        request_id=request_id,
                    )
                )
    if (
        dependants is not None
        and source_of(merged.sources, DERIVED_FROM_MEMBERS) != FactSource.CASEWORKER
        and merged.facts.get(DERIVED_FROM_MEMBERS) != dependants
    ):
        merged.facts[DERIVED_FROM_MEMBERS] = dependants
        merged.sources[DERIVED_FROM_MEMBERS] = {"source": FactSource.DERIVED}
        merged.changed = True
    return merged


def shown_value(value: Any) -> str:
    """A fact's value as staff read it in the history."""
    if value is None:
        return _("unknown")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(str(v).replace("_", " ") for v in value) or _("none")
    return str(value).replace("_", " ")


def fact_label(name: str) -> str:
    spec = FACTS.get(name)
    return str(spec.label) if spec else name


def source_label(source: str) -> str:
    try:
        return str(FactSource(source).label)
    except ValueError:
        return source
