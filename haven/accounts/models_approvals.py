"""Four eyes on dangerous actions: one supervisor asks, a different one approves, it runs.

Imported at the bottom of accounts.models, so the model belongs to the accounts app.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Approval(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a second approver")
        EXECUTED = "executed", _("Approved and done")
        REJECTED = "rejected", _("Rejected")
        FAILED = "failed", _("Approved, but it failed")

    # A registered action (haven/accounts/approvals.py), e.g. "guidance_activate".
    action = models.CharField(max_length=64, db_index=True)
    # What the action needs to run again later (ids, never personal data).
    params = models.JSONField(default=dict)
    # What people read: "Activate guidance us-afghan-2021@2".
    label = models.CharField(max_length=300)
    reason = models.CharField(max_length=500)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=500, blank=True)
    # The action's own short account of what it did, or the error.
    result = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"{self.label} ({self.get_status_display()})"
