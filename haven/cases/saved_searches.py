"""Saved searches: a user's named case-list filter sets (writes; reads are in selectors).

The filters are kept as the case-list form's data, encrypted (they can hold a searched name or
passport number), and bound to that form again when opened, so a saved search is validated
like any filter typed today."""

from __future__ import annotations

import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from haven.accounts import permissions
from haven.accounts.models import User
from haven.audit.models import AuditAction
from haven.audit.services import audit_record

from .models import Case, SavedSearch

# Per user: a list, not a database.
MAX_PER_USER = 50


class SavedSearchRefused(ValidationError):
    """The search cannot be saved; the message says why."""


def filters_of(saved: SavedSearch) -> dict[str, str]:
    try:
        data = json.loads(saved.filters)
    except (TypeError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


@transaction.atomic
def saved_search_create(*, owner: User, name: str, filters: dict[str, str]) -> SavedSearch:
    if not permissions.can_view_cases(owner):
        raise PermissionDenied
    name = name.strip()
    # No key of the locked rows changes (no delete, no unique column): FOR NO KEY UPDATE
    # on PostgreSQL, which does not hold up inserts of rows referencing them.
    mine = list(SavedSearch.objects.select_for_update(no_key=True).filter(owner=owner))
    if any(s.name.casefold() == name.casefold() for s in mine):
        raise SavedSearchRefused(_("You already have a saved search with that name."))
    if len(mine) >= MAX_PER_USER:
        raise SavedSearchRefused(
            _("You have %(n)s saved searches: delete one first.") % {"n": len(mine)}
        )
    if not filters:
        raise SavedSearchRefused(_("Choose some filters first: this search shows every case."))
    saved = SavedSearch.objects.create(
        owner=owner, name=name, filters=json.dumps(filters, sort_keys=True)
    )
    # The name and filters stay out of the trail (they may hold a searched term).
    audit_record(actor=owner, action=AuditAction.CREATE, obj=saved, summary="Saved a case search")
    return saved


@transaction.atomic
def saved_search_delete(*, owner: User, saved: SavedSearch) -> None:
    if saved.owner_id != owner.pk:
        raise PermissionDenied
    audit_record(
        actor=owner,
        action=AuditAction.UPDATE,
        obj=saved,
        summary="Deleted a saved case search",
        details={"deleted": True},
    )
    saved.delete()


def saved_search_cases(*, owner: User, pk: int) -> QuerySet[Case]:
    """The cases a saved search of `owner` selects now (for a bulk notice to their requesters),
    its filters checked like a list's; ValidationError when it is gone or not the owner's."""
    from .forms import CaseFilterForm
    from .selectors import cases_filtered

    saved = SavedSearch.objects.filter(owner=owner, pk=pk).first()
    if saved is None:
        raise ValidationError(
            _("That saved search does not exist (any more), or is not %(user)s's.")
            % {"user": owner}
        )
    form = CaseFilterForm(filters_of(saved))
    return cases_filtered(user=owner, filters=form.filters())


def saved_search_choices(*, owner: User) -> list[tuple[str, str]]:
    """The owner's saved searches as (id, name), for a choice of recipients."""
    return [(str(s.pk), s.name) for s in SavedSearch.objects.filter(owner=owner).order_by("id")]
