from __future__ import annotations

from django.core.exceptions import ValidationError


class ReferralRefused(ValidationError):
    """Nothing was sent or changed; the message says why, in plain words."""


class TransitionRefused(ReferralRefused):
    """The referral's status cannot go there from where it is."""
