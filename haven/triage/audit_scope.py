"""Triage's part of a case's audit trail: its decisions and its facts."""

from __future__ import annotations

from haven.audit.scope import AuditScope
from haven.cases.audit_scope import case_id_of
from haven.cases.models import Case

from .models import CaseFacts, TriageDecision


def case_scope(reference: str) -> AuditScope | None:
    case_id = case_id_of(reference)
    if case_id is None or not Case.objects.filter(pk=case_id).exists():
        return None
    scope = AuditScope(label=reference)
    scope.add(
        "triage.triagedecision",
        TriageDecision.objects.filter(case_id=case_id).values_list("pk", flat=True),
    )
    scope.add(
        "triage.casefacts", CaseFacts.objects.filter(case_id=case_id).values_list("pk", flat=True)
    )
    return scope
