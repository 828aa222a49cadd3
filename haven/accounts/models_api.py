"""Credentials for partner systems (the REST API). The record of their retries' answers
(IdempotencyRecord) is intake's, which owns the API.

Imported at the bottom of accounts.models, so the models belong to the accounts app.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Organization


class ApiScope(models.TextChoices):
    REQUESTS_WRITE = "requests:write", _("Send requests")
    REQUESTS_READ = "requests:read", _("List the requests sent")


def all_scopes() -> list[str]:
    return [scope.value for scope in ApiScope]


class ApiToken(models.Model):
    """A bearer token that lets one organisation's system send requests.

    Only a hash of the token is stored: a copy of the database must not let anyone
    submit requests in a partner's name.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, blank=True)
    # The first characters of the token, not secret: lets staff and partners tell tokens apart.
    prefix = models.CharField(max_length=16, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    # Requests per minute; empty means the HAVEN_API_RATE_LIMIT_PER_MINUTE setting.
    rate_limit_per_minute = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    # What the token may do (ApiScope values); tokens issued before scopes existed may do all.
    scopes = models.JSONField(default=all_scopes)
    # Past this moment the token is refused, as if revoked; empty means it does not expire.
    expires_at = models.DateTimeField(null=True, blank=True)
    # The person answerable for the token (the partner's contact): deactivating their account
    # revokes it. Empty for a token that stands for the organisation alone.
    issued_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="api_tokens",
    )
    # Written at most once a minute per token (haven/intake/api/auth.py), not on every request.
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["organization_id", "-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.organization})"

    @property
    def is_active(self) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > timezone.now()

    @staticmethod
    def hash_secret(raw_token: str) -> str:
        # A plain SHA-256 suffices for a 256-bit random token (no guessing to slow down), and
        # unlike an HMAC it does not orphan every token when a key is rotated.
        return hashlib.sha256(raw_token.encode()).hexdigest()
