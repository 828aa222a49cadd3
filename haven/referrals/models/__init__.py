"""Referrals: the partner directory (Open Referral HSDS 3.0 shape), data-sharing agreements,
consent, and referrals with their status history, questions and off-Haven links."""

from .directory import (
    SHAREABLE_FIELDS,
    SHAREABLE_IDENTIFIERS,
    Delivery,
    Location,
    Service,
    ServiceArea,
    ServiceKind,
    ServiceLanguage,
    SharingAgreement,
    Urgency,
)
from .referral import (
    OPEN_STATUSES,
    BulkReferral,
    Consent,
    Referral,
    ReferralEvent,
    ReferralLink,
    ReferralMessage,
    ReferralOutcome,
    ReferralStatus,
)

__all__ = [
    "OPEN_STATUSES",
    "SHAREABLE_FIELDS",
    "SHAREABLE_IDENTIFIERS",
    "BulkReferral",
    "Consent",
    "Delivery",
    "Location",
    "Referral",
    "ReferralEvent",
    "ReferralLink",
    "ReferralMessage",
    "ReferralOutcome",
    "ReferralStatus",
    "Service",
    "ServiceArea",
    "ServiceKind",
    "ServiceLanguage",
    "SharingAgreement",
    "Urgency",
]
