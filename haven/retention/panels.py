"""The legal-hold panel on the case page (registered in RetentionConfig.ready()): supervisors place or lift a
hold that stops retention from erasing the case."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from haven.accounts import permissions
from haven.cases.panels import CasePanel

from .forms import LegalHoldForm
from .models import ErasedCase, LegalHold

if TYPE_CHECKING:
    from haven.accounts.models import User
    from haven.cases.models import Case


def legal_hold_panel(case: Case, user: User) -> CasePanel | None:
    if not permissions.can_merge_cases(user):  # an oversight decision, as in the service
        return None
    return CasePanel(
        title=_("Legal hold"),
        template="retention/panel.html",
        context={
            "case": case,
            "hold": LegalHold.objects.filter(case=case).select_related("set_by").first(),
            "erased": ErasedCase.objects.filter(case=case).first(),
            "form": LegalHoldForm(),
        },
        order=90,
    )
