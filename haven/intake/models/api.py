"""What makes a partner system's retries through the API safe.

Intake owns the API (haven/intake/api), so it owns the record of each Idempotency-Key's
first answer; the tokens themselves are accounts' (who may send).
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from haven.accounts.models import ApiToken


class IdempotencyRecord(models.Model):
    """The first response to a request sent with an Idempotency-Key, replayed on retries."""

    # No index of its own: the unique (token, key) index below serves look-ups by token.
    token = models.ForeignKey(ApiToken, on_delete=models.PROTECT, related_name="+", db_index=False)
    key = models.CharField(max_length=255)
    # SHA-256 of the request body in canonical JSON: a retry must carry the same content.
    request_fingerprint = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField()
    # Encrypted because the response carries the status-lookup secret, which is otherwise
    # stored only as a hash.
    response_body_encrypted = models.TextField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            # The database, not the application, decides which of two concurrent retries wins.
            models.UniqueConstraint(fields=["token", "key"], name="idempotency_token_key")
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.response_status})"
