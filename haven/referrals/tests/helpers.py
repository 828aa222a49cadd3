from __future__ import annotations

from typing import Any

from haven.accounts.models import Organization, User
from haven.cases.models import Case
from haven.referrals.models import Referral, Service
from haven.referrals.services import referral_create


def send(
    case: Case, actor: User, organization: Organization, service: Service, **kw: Any
) -> Referral:
    return referral_create(
        case=case,
        actor=actor,
        organization=organization,
        service=service,
        reason=kw.pop("reason", "Protection assessment"),
        **kw,
    )
