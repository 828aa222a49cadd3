"""The audit trail's view of a receipt: "HV-XXXXX-XXXXX" means that request."""

from __future__ import annotations

from haven.audit.scope import AuditScope

from .models import Request


def receipt_scope(reference: str) -> AuditScope | None:
    if not reference.upper().startswith("HV-"):
        return None
    request = Request.objects.filter(receipt_number=reference.upper()).only("pk").first()
    if request is None:
        return None
    scope = AuditScope(label=reference.upper())
    scope.add("intake.request", [request.pk])
    # The status page records the receipt looked up (never the secret).
    scope.details.append(("receipt_number", reference.upper()))
    return scope
