"""The public status of requests, derived from their case: what /status/ and the partner API say.

A requester sees only four statuses (intake.Request.Status) and, once closed, a neutral
outcome. They are never set by hand: every write that changes what they depend on (the
case's status, its pathway, a merge, a request joining the case) calls public_status_sync
in its own transaction, so what a requester reads is always what the case says.

    case NEW, not triaged                        → received
    case NEW with a pathway, IN_REVIEW,
      AWAITING_INFORMATION                       → under review
    case REFERRED                                → referred to a partner
    case CLOSED                                  → closed, with the case's closure outcome

A request linked to several cases (a merge links the source's requests to the target)
follows the case that was not merged away, so a duplicate's requests take the status of
the case now worked. Rows are written only when they change, and when any changed,
cases.signals.public_status_changed_many is sent once, inside the transaction, with every
change (however many cases).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING

from haven.intake.models import Request

from .models import Case, CaseRequest
from .signals import public_status_changed_many

if TYPE_CHECKING:
    from haven.accounts.models import User

Change = tuple[Request, str, str]

# Requests per UPDATE: bulk_update writes a CASE over every row of a statement, which grows
# with the rows squared; a bulk referral's chunk of cases holds a few thousand requests.
STATUS_BATCH = 1000


def public_status_of(case: Case) -> tuple[str, str]:
    """(status, outcome) a requester sees for a request of this case."""
    if case.status == Case.Status.CLOSED:
        outcome = case.closure_outcome or (Request.Outcome.DUPLICATE if case.merged_into_id else "")
        return Request.Status.CLOSED, outcome
    if case.status == Case.Status.REFERRED:
        return Request.Status.REFERRED, ""
    if case.status in (Case.Status.IN_REVIEW, Case.Status.AWAITING_INFORMATION) or case.pathway:
        return Request.Status.UNDER_REVIEW, ""
    return Request.Status.RECEIVED, ""


def _governing(cases: Iterable[Case]) -> dict[int, Case]:
    """The cases whose requests to derive, by id: a merged case's requests follow the case
    it was merged into (and so on, if that one was merged too)."""
    governing: dict[int, Case] = {}
    merged: set[int] = set()
    for case in cases:
        if case.merged_into_id is None:
            governing[case.pk] = case
        else:
            merged.add(case.merged_into_id)
    # Rare (a merge): one query per level of merges.
    while merged - set(governing):
        found = list(Case.objects.filter(pk__in=merged - set(governing)))
        merged = set()
        for case in found:
            if case.merged_into_id is None:
                governing[case.pk] = case
            else:
                merged.add(case.merged_into_id)
    return governing


def public_status_sync_many(*, cases: Iterable[Case], actor: User | None) -> list[Change]:
    """Derive the public status of every request of these cases: two statements up to
    STATUS_BATCH changed requests (one read, one bulk_update of the rows that changed), plus
    one signal for all the changes (its receivers work set by set too). Returns the changes."""
    governing = _governing(cases)
    if not governing:
        return []
    links = (
        CaseRequest.objects.filter(case_id__in=list(governing))
        .select_related("request")
        # Only what is derived and compared: not the encrypted columns, decrypted per row.
        .only("case_id", "request__status", "request__outcome")
        .order_by("request_id")
    )
    changed: list[Request] = []
    by_case: dict[int, list[Change]] = defaultdict(list)
    for link in links:
        request = link.request
        status, outcome = public_status_of(governing[link.case_id])
        if (request.status, request.outcome) == (status, outcome):
            continue
        old = request.status
        request.status, request.outcome = status, outcome
        changed.append(request)
        if old != status:
            by_case[link.case_id].append((request, old, status))
    Request.objects.bulk_update(changed, ["status", "outcome"], batch_size=STATUS_BATCH)
    if by_case:
        public_status_changed_many.send(
            sender=Case,
            changes=[
                (governing[case_id], request, old, new)
                for case_id, changes in by_case.items()
                for request, old, new in changes
            ],
            actor=actor,
        )
    return [change for changes in by_case.values() for change in changes]


def public_status_sync(*, case: Case, actor: User | None) -> list[Change]:
    """Derive the public status of every request of one case (see the module docstring)."""
    return public_status_sync_many(cases=[case], actor=actor)


def requests_public_status_sync(*, cases: Iterable[Case], actor: User | None) -> None:
    """Intake step (last in the intake flow, haven/config/flow.py): a new request takes its
    case's status, and a case triaged at intake puts all its requests under review; a fixed
    number of statements per batch."""
    unique = {id(case): case for case in cases}
    public_status_sync_many(cases=unique.values(), actor=actor)
