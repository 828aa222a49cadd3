"""Triage's "still needed" as the case's checklist (cases.Task with an evidence code).

After every decision (intake, a fact corrected, a re-triage) and whenever documents arrive
(cases.signals.documents_added), triage tells cases what the latest decision still asks for
and what the case already holds; cases.services_tasks keeps the checklist in step: a new item
for each need the case lacks, ticked off when it arrives, cancelled when the pathway no longer
asks for it. What counts as holding an item:

- a fact (an item named after a fact, asked for because a rule needed it): the fact is known;
- a document of a kind that brings it (cases.models.EVIDENCE_OF_KIND: a passport or a
  tazkira is "identity_document");
- an identifier recorded on one of the case's requests (IDENTIFIER_KINDS: a passport or
  tazkira number holds "Tazkira or passport", so "still needed: tazkira or passport" never
  shows on a case that holds one);
- a fact that says so (FACT_EVIDENCE: has_recommendation_letter true).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils import translation

from haven.accounts.models import User
from haven.cases.models import EVIDENCE_OF_KIND, Case, Document
from haven.cases.services_tasks import EvidenceItem, cases_evidence_tasks_sync
from haven.intake.models import Identifier, IdentifierKind

from . import selectors
from .facts import FACTS
from .models import CaseFacts, GuidanceVersion

# The kinds of document that bring each evidence code: cases says which code each kind is
# (EVIDENCE_OF_KIND, next to Document.Kind); a kind named as the code itself always does.
DOCUMENT_KINDS: dict[str, frozenset[str]] = {
    code: frozenset(k for k, c in EVIDENCE_OF_KIND.items() if c == code)
    for code in set(EVIDENCE_OF_KIND.values())
}
IDENTIFIER_KINDS: dict[str, frozenset[str]] = {
    "identity_document": frozenset(
        {IdentifierKind.PASSPORT, IdentifierKind.E_TAZKIRA, IdentifierKind.PAPER_TAZKIRA}
    ),
    "siv_case_number": frozenset({IdentifierKind.SIV_CASE}),
}
FACT_EVIDENCE: dict[str, tuple[str, Any]] = {
    "recommendation_letter": ("has_recommendation_letter", True),
}


def held_from(
    *, codes: Iterable[str], facts: dict[str, Any], identifiers: set[str], documents: set[str]
) -> set[str]:
    """Which of these codes the case holds, given its facts, identifier and document kinds."""
    held = set()
    for code in codes:
        if code in FACTS:
            if facts.get(code) is not None:
                held.add(code)
            continue
        if (
            identifiers & IDENTIFIER_KINDS.get(code, frozenset())
            or documents & (DOCUMENT_KINDS.get(code, frozenset()) | {code})
            or (
                code in FACT_EVIDENCE
                and facts.get(FACT_EVIDENCE[code][0]) == FACT_EVIDENCE[code][1]
            )
        ):
            held.add(code)
    return held


def _identifier_kinds(case_ids: list[int]) -> dict[int, set[str]]:
    rows = (
        Identifier.objects.filter(person_record__request__case_links__case_id__in=case_ids)
        .values_list("person_record__request__case_links__case_id", "kind")
        .distinct()
        .order_by()
    )
    found: dict[int, set[str]] = {}
    for case_id, kind in rows:
        found.setdefault(case_id, set()).add(kind)
    return found


def _document_kinds(case_ids: list[int]) -> dict[int, set[str]]:
    """Kinds of the documents each case holds (a quarantined one too: the evidence came,
    whatever the scanner says of the file)."""
    found: dict[int, set[str]] = {}
    for case_id, kind in (
        Document.objects.filter(case_id__in=case_ids).values_list("case_id", "kind").order_by()
    ):
        found.setdefault(case_id, set()).add(str(kind))
    return found


def _items(codes: Iterable[str], labels: dict[str, str]) -> list[EvidenceItem]:
    """The items with their English label (from `labels`), stored as the task's title."""
    return [EvidenceItem(code=code, title=labels[code]) for code in dict.fromkeys(codes)]


def _labels(codes: set[str], version: GuidanceVersion) -> dict[str, str]:
    """Each code's English label, looked up once for a batch of cases (an intake chunk
    asks for the same dozen codes on hundreds of cases)."""
    pack = selectors.stored_pack(version)
    with translation.override("en"):
        return {code: pack.evidence_label(code) for code in codes}


def checklists_sync(
    *,
    guidance: GuidanceVersion,
    needs: dict[int, list[str]],
    facts: dict[int, dict[str, Any]],
    actor: User | None,
    kinds: dict[int, set[str]] | None = None,
) -> None:
    """Keep these cases' checklists in step with what their latest decision (under
    `guidance`) still needs: a fixed number of statements for any number of cases (an
    intake batch)."""
    if not needs:
        return
    case_ids = sorted(needs)
    identifiers = _identifier_kinds(case_ids)
    documents = _document_kinds(case_ids)
    for case_id, extra in (kinds or {}).items():
        documents.setdefault(case_id, set()).update(extra)
    pack = selectors.stored_pack(guidance)
    # Every code a case may have an item for (the pack's and the facts'): an item asked for
    # before and held now is ticked off even when the new decision no longer lists it.
    codes = [*pack.evidence, *FACTS]
    labels = _labels({code for case_id in case_ids for code in needs[case_id]}, guidance)
    cases_evidence_tasks_sync(
        needed={case_id: _items(needs[case_id], labels) for case_id in case_ids},
        held={
            case_id: held_from(
                codes=codes,
                facts=facts.get(case_id, {}),
                identifiers=identifiers.get(case_id, set()),
                documents=documents.get(case_id, set()),
            )
            for case_id in case_ids
        },
        actor=actor,
    )


def case_checklist_sync(
    *, case: Case, actor: User | None, kinds: Iterable[str] = (), **_: Any
) -> None:
    """One case, after its decision or when documents of these kinds arrived (registered in
    cases.registry for cases.signals.documents_added)."""
    kinds = set(kinds)
    if kinds and not kinds & EVIDENCE_OF_KIND.keys():
        # Only documents no item counts ("other": an e-mail's attachments until a caseworker
        # sets their kind): the checklist stays as it is, without reading the case again.
        return
    decision = selectors.latest_decision(case)
    if decision is None:
        return
    checklists_sync(
        guidance=decision.guidance,
        needs={case.pk: list(decision.evidence_missing)},
        facts={case.pk: selectors.case_facts(case)},
        actor=actor,
        kinds={case.pk: kinds},
    )


def case_held_codes(*, case: Case, codes: list[str]) -> set[str]:
    """Which of a decision's still-needed codes the case already holds (the triage panel
    leaves them out)."""
    row = CaseFacts.objects.filter(case=case).first()
    return held_from(
        codes=codes,
        facts=dict(row.facts) if row else {},
        identifiers=_identifier_kinds([case.pk]).get(case.pk, set()),
        documents=_document_kinds([case.pk]).get(case.pk, set()),
    )


def evidence_label(code: str) -> str | None:
    """An item's label in the reader's language (registered in cases.registry). Read for
    every checklist line of a page, so from the packs already parsed in this process (a
    code's text rarely changes between versions), the active one only when none knows it."""
    if code in FACTS:
        return str(FACTS[code].label)
    language = (translation.get_language() or "en").lower()
    known = [p for p in reversed(selectors.parsed_packs()) if code in p.evidence]
    for pack in known:
        # A pack that has the text in the reader's language (an older one may be English only).
        text = pack.evidence[code]
        if isinstance(text, dict) and language in {k.lower() for k in text}:
            return pack.evidence_label(code)
    if known:
        return known[0].evidence_label(code)
    version = selectors.active_guidance()
    if version is None:
        return None
    pack = selectors.stored_pack(version)
    return pack.evidence_label(code) if code in pack.evidence else None
