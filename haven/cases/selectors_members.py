"""Reads for the household section: each member's other open cases, a person's cases."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from haven.accounts import permissions
from haven.accounts.models import User

from .models import Case, CaseMember
from .selectors import _visible_cases


def members_other_open_cases(*, user: User, case: Case, people: list[int]) -> dict[int, list[Case]]:
    """Per member (person id), the other open cases they are in now that the user may see:
    one query for all members."""
    if not people:
        return {}
    found: dict[int, list[Case]] = defaultdict(list)
    rows = (
        CaseMember.objects.filter(
            person_id__in=people,
            merged_into__isnull=True,
            case_id__in=_visible_cases(user).values("pk"),
        )
        .exclude(case_id=case.pk)
        .exclude(case__status=Case.Status.CLOSED)
        .select_related("case")
        .order_by("person_id", "case_id")
    )
    for row in rows:
        found[row.person_id].append(row.case)
    return dict(found)


@dataclass(frozen=True)
class PersonCase:
    reference: str
    case_id: int
    status: str
    display_name: str
    # False: the person was in this case's household and was removed or moved out.
    current: bool


def person_cases(*, user: User, person_id: int) -> list[PersonCase]:
    """Every case the person is or was a member of (one query), for their page."""
    if not permissions.can_view_cases(user):
        return []
    rows = (
        CaseMember.all_rows.filter(
            person_id=person_id, case_id__in=_visible_cases(user).values("pk")
        )
        .select_related("case")
        .order_by("-case_id")
    )
    return [
        PersonCase(
            reference=row.case.reference,
            case_id=row.case_id,
            status=str(row.case.get_status_display()),
            display_name=row.case.display_name,
            current=row.removed_at is None and row.merged_into_id is None,
        )
        for row in rows
    ]
