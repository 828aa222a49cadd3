"""What retention keeps: legal holds that stop it, and a tombstone for each erased case."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from haven.cases.models import Case
from haven.common.fields import EncryptedTextField


class LegalHold(models.Model):
    """While a case is held (litigation, an inquiry, a protection concern), nothing of it is
    erased, however long it has been closed."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="legal_hold")
    # Free text that can name people or proceedings: encrypted at rest, as other reasons are.
    reason = EncryptedTextField()
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Hold on {self.case.reference}"


class ErasedCase(models.Model):
    """The tombstone: that the case existed, when it was closed and erased, and how much was
    there (counts only), so reports still add up and the audit trail still points somewhere."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="erasure")
    closed_at = models.DateTimeField(null=True, blank=True)
    erased_at = models.DateTimeField(auto_now_add=True)
    # e.g. {"requests": 2, "person_records": 5, "identifiers": 7, "notes": 3, "documents": 1}
    counts = models.JSONField(default=dict)
    # The policy that applied, e.g. "closed more than 730 days", or "by hand: <reason>".
    policy = models.CharField(max_length=300)
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.case.reference} erased {self.erased_at:%Y-%m-%d}"
