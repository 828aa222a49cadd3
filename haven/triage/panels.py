"""The triage panel on the case page (registered in TriageConfig.ready())."""

from __future__ import annotations

import string
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from haven.cases.panels import CasePanel
from haven.cases.selectors_tasks import evidence_settled

from . import selectors
from .engine import render
from .evidence import case_held_codes
from .facts import FACTS, choice_label
from .forms import FactsForm
from .models import FactSource, TriageDecision
from .pack import localized
from .pathways import pathway_label
from .permissions import can_correct_facts, can_view_triage
from .provenance import source_label

if TYPE_CHECKING:
    from haven.accounts.models import User
    from haven.cases.models import Case

BREAKDOWN_LABELS = {
    "vulnerabilities": gettext_lazy("Vulnerabilities"),
    "location": gettext_lazy("Inside Afghanistan or at the border"),
    "siv_stage": gettext_lazy("SIV stage"),
    "days_waiting": gettext_lazy("Days waiting"),
    "dependants": gettext_lazy("Dependants"),
}


def _shown(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(choice_label(v) for v in value) or _("none")
    return choice_label(value) if isinstance(value, str) else str(value)


def _source(triage: selectors.CaseTriage, name: str) -> str:
    """Where a known fact came from, as staff read it."""
    if triage.facts.get(name) is None:
        return ""
    entry = triage.sources.get(name)
    if not isinstance(entry, dict):
        return source_label(FactSource.REQUEST)
    if entry.get("source") == FactSource.REQUEST and entry.get("request") in triage.receipts:
        return _("from request %(receipt)s") % {"receipt": triage.receipts[entry["request"]]}
    return source_label(str(entry.get("source", "")))


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _texts(decision: TriageDecision, settled: set[str] = frozenset()) -> dict[str, Any]:  # type: ignore[assignment]
    """The decision's texts in the reader's language, rendered now from the pack the
    decision was made under (parsed once per version, see selectors.stored_pack): the
    stored texts are in the language of whoever caused the decision, usually English.
    Evidence the case holds, or whose checklist item is done (`settled`), is not "still
    needed"."""
    pack = selectors.stored_pack(decision.guidance)
    evidence = [
        pack.evidence_label(code) for code in decision.evidence_missing if code not in settled
    ]
    stored: dict[str, Any] = {
        "explanation": decision.explanation,
        "next_action": decision.next_action,
        "evidence": evidence,
    }
    rule = next((r for r in pack.rules if r.id == decision.rule), None)
    if rule is None:
        return stored
    texts: dict[str, Any] = {"evidence": evidence}
    for name, template in (("explanation", rule.explanation), ("next_action", rule.next_action)):
        # A text naming a fact the decision did not keep would read "unknown" where the
        # stored text has the value: keep the stored text then.
        if _fields(localized(template)) <= decision.facts_used.keys():
            texts[name] = render(template, decision.facts_used)
        else:
            texts[name] = stored[name]
    return texts


def panel_context(*, case: Case, user: User) -> dict[str, Any]:
    triage = selectors.case_triage(case=case, user=user)
    decision = triage.decision
    context: dict[str, Any] = {
        "case": case,
        "decision": decision,
        "history": triage.history,
        "active": triage.active,
        "facts": [
            (spec.label, _shown(triage.facts.get(name)), _source(triage, name))
            for name, spec in FACTS.items()
            if not spec.derived
        ],
        "reviews": [
            {
                "pk": review.pk,
                "label": FACTS[review.fact].label if review.fact in FACTS else review.fact,
                "old": _shown(review.old_value),
                "new": _shown(review.new_value),
                "old_source": source_label(review.old_source),
                "receipt": triage.receipts.get(review.request_id or 0, ""),
                "at": review.created_at,
            }
            for review in triage.reviews
        ],
        "can_decide_reviews": can_correct_facts(user),
    }
    if decision is not None:
        codes = list(decision.evidence_missing)
        settled = evidence_settled(case_id=case.pk) | case_held_codes(case=case, codes=codes)
        texts = _texts(decision, settled)
        context.update(
            pathway_label=pathway_label(decision.pathway),
            explanation=texts["explanation"],
            next_action=texts["next_action"],
            evidence=texts["evidence"],
            breakdown=[
                (BREAKDOWN_LABELS.get(k, k), v) for k, v in decision.priority_breakdown.items()
            ],
        )
    if can_correct_facts(user):
        context["form"] = FactsForm(facts=triage.facts)
    return context


def triage_panel(case: Case, user: User) -> CasePanel | None:
    if not can_view_triage(user):
        return None
    return CasePanel(
        title=_("Triage"),
        template="triage/panel.html",
        context=panel_context(case=case, user=user),
        order=20,
    )
