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
    Outcome,
    Referral,
    ReferralEvent,
    ReferralLink,
    ReferralMessage,
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
    "Outcome",
    "Referral",
    "ReferralEvent",
    "ReferralLink",
    "ReferralMessage",
    "ReferralStatus",
    "Service",
    "ServiceArea",
    "ServiceKind",
    "ServiceLanguage",
    "SharingAgreement",
    "Urgency",
]
