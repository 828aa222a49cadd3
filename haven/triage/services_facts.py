"""New information to review: what a request said against a known fact, and deciding it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from haven.audit.models import AuditAction
from haven.audit.services import audit_record
from haven.cases.models import CaseEvent

from .models import FactReview
from .permissions import can_correct_facts
from .provenance import fact_label, shown_value, source_label
from .services import case_facts_update

if TYPE_CHECKING:
    from haven.accounts.models import User


class FactReviewClosed(ValueError):
    """The new information was already accepted or dismissed."""


def review_text(fact: str, old: Any, new: Any, receipt: str, old_source: str) -> str:
    """The case-history line for new information to review."""
    return (
        f"Request {receipt or '(unknown)'} says "
        f"{fact_label(fact)}: {shown_value(new)}; the case has {shown_value(old)} "
        f"({source_label(old_source)}). Not applied until a caseworker accepts it."
    )


@transaction.atomic
def fact_review_decide(*, review: FactReview, actor: User, accept: bool) -> FactReview:
    """Accept new information (it applies as the caseworker's correction, audited, and the
    case is re-triaged) or dismiss it (the case keeps its fact). Decided once."""
    if not can_correct_facts(actor):
        raise PermissionDenied
    # Lock the item: two caseworkers deciding it at once must not both apply it.
    # No key of the locked rows changes (no delete, no unique column): FOR NO KEY UPDATE
    # on PostgreSQL, which does not hold up inserts of rows referencing them.
    review = (
        FactReview.objects.select_for_update(no_key=True).select_related("case").get(pk=review.pk)
    )
    if review.status != FactReview.Status.OPEN:
        raise FactReviewClosed(
            f"This new information was already {review.get_status_display().lower()}."
        )
    review.status = FactReview.Status.ACCEPTED if accept else FactReview.Status.DISMISSED
    review.decided_by, review.decided_at = actor, timezone.now()
    review.save(update_fields=["status", "decided_by", "decided_at"])
    case, receipt = review.case, review.request.receipt_number if review.request else ""
    what = (
        f"{fact_label(review.fact)}: {shown_value(review.old_value)} → "
        f"{shown_value(review.new_value)} (request {receipt or '(unknown)'})"
    )
    if accept:
        case_facts_update(
            case=case,
            changes={review.fact: review.new_value},
            actor=actor,
            summary="Accepted new information",
            source_extra={"review": review.pk, "request": review.request_id},
        )
    else:
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=review,
            summary=f"Dismissed new information on case {case.reference}",
            details={"case": case.pk, "fact": review.fact, "request": review.request_id},
        )
        CaseEvent.objects.create(
            case=case,
            kind=CaseEvent.Kind.FACTS_CHANGED,
            actor=actor,
            description=f"Dismissed new information: {what}; the case keeps its fact."[:500],
        )
    return review
