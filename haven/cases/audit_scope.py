"""The audit trail's view of a case: "C-0001234" means the case and what hangs off it."""

from __future__ import annotations

import re

from haven.audit.scope import AuditScope

from .models import Case, CaseMerge, CaseRequest, Document, Note

_REFERENCE = re.compile(r"^C-?(\d{1,10})$", re.IGNORECASE)


def case_id_of(reference: str) -> int | None:
    match = _REFERENCE.match(reference.strip())
    return int(match.group(1)) if match else None


def case_scope(reference: str) -> AuditScope | None:
    case_id = case_id_of(reference)
    if case_id is None or not Case.objects.filter(pk=case_id).exists():
        return None
    scope = AuditScope(label=f"C-{case_id:07d}")
    scope.add("cases.case", [case_id])
    scope.add("cases.note", Note.objects.filter(case_id=case_id).values_list("pk", flat=True))
    scope.add(
        "cases.document", Document.objects.filter(case_id=case_id).values_list("pk", flat=True)
    )
    scope.add(
        "intake.request",
        CaseRequest.objects.filter(case_id=case_id).values_list("request_id", flat=True),
    )
    merges = CaseMerge.objects.filter(source_id=case_id) | CaseMerge.objects.filter(
        target_id=case_id
    )
    scope.add("cases.casemerge", merges.values_list("pk", flat=True))
    # Events of any app that name the case in their details (the convention: details["case"]).
    scope.details.append(("case", case_id))
    return scope
