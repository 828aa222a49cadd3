"""The referrals panel on the case page (registered in ReferralsConfig.ready())."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from haven.accounts import permissions
from haven.cases.panels import CasePanel
from haven.intake.models import Request

from . import selectors
from .consent import covering_versions

if TYPE_CHECKING:
    from haven.accounts.models import User
    from haven.cases.models import Case


def referrals_panel(case: Case, user: User) -> CasePanel | None:
    if not permissions.can_view_referrals(user):
        return None
    covering = list(
        Request.objects.filter(case_links__case=case, consent_version__in=covering_versions())
        .only("receipt_number", "consent_version")
        .order_by("received_at")
    )
    return CasePanel(
        title=_("Referrals"),
        template="referrals/panel.html",
        context={
            "case": case,
            "referrals": selectors.case_referrals(user=user, case=case),
            "consents": selectors.case_consents(user=user, case=case),
            "covering_requests": covering,
            "can_refer": permissions.can_refer_cases(user),
            "can_record_consent": permissions.can_record_consent(user),
        },
        order=30,
    )
