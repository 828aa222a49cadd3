"""Messages to requesters: templates, the outbox, opt-outs, bulk notices and replies.

An address or number is personal data: it is stored encrypted (EncryptedTextField) with a keyed
hash beside it for look-ups (opt-outs, de-duplication, replies), never in clear.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from haven.cases.models import Case
from haven.common.fields import EncryptedTextField
from haven.intake.models import Request, Requester

from .texts import PURPOSES


class ChannelKind(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")


PURPOSE_CHOICES = [(code, p.label) for code, p in PURPOSES.items()]


class MessageTemplate(models.Model):
    """One purpose's text in one language (edited by staff, previewed before saving)."""

    purpose = models.CharField(max_length=32, choices=PURPOSE_CHOICES)
    language = models.CharField(max_length=10)
    subject = models.CharField(max_length=300)
    body = models.TextField()
    sms_body = models.TextField()
    # Bumped on every edit: a bulk notice is "the same notice" only for the same texts.
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["purpose", "language"]
        constraints = [
            models.UniqueConstraint(fields=["purpose", "language"], name="comms_template_unique")
        ]

    def __str__(self) -> str:
        return f"{self.purpose} ({self.language})"


class Notice(models.Model):
    """A bulk notice: which template, to whom, who asked and who approved."""

    class Status(models.TextChoices):
        AWAITING_APPROVAL = "awaiting_approval", _("Awaiting a second supervisor")
        QUEUED = "queued", _("Queued")
        CANCELLED = "cancelled", _("Cancelled")

    purpose = models.CharField(max_length=32, choices=PURPOSE_CHOICES)
    # Recipients: {"pathway": ..., "status": ..., "channel": ..., "case_status": ...}.
    filters = models.JSONField(default=dict)
    # Digest of the template texts: the same notice twice sends nothing new.
    notice_key = models.CharField(max_length=64)
    status = models.CharField(max_length=20, choices=Status.choices)
    recipients_expected = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    queued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Notice {self.pk} {self.purpose}"


class Message(models.Model):
    """One message to one recipient: the outbox row and what became of it."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Not sent (opted out)")

    # Sent to the provider with every attempt: a retry after a crash is recognised, not resent.
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Set for messages that must exist once only (a notice per recipient); null otherwise.
    dedupe_key = models.CharField(max_length=120, null=True, blank=True, unique=True)
    purpose = models.CharField(max_length=32, choices=PURPOSE_CHOICES)
    language = models.CharField(max_length=10)
    channel = models.CharField(max_length=10, choices=ChannelKind.choices)
    recipient = EncryptedTextField()
    recipient_hash = models.CharField(max_length=64, db_index=True)
    subject = EncryptedTextField(blank=True)
    body = EncryptedTextField()
    request = models.ForeignKey(
        Request, null=True, blank=True, on_delete=models.PROTECT, related_name="messages"
    )
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="messages"
    )
    notice = models.ForeignKey(
        Notice, null=True, blank=True, on_delete=models.PROTECT, related_name="messages"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    # Not before this (quiet hours defer a message, never drop it).
    # Indexed with the status (comms_message_status_due): the worker's look-up walks the
    # messages still to do, not every message ever sent.
    not_before = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    # A worker holds the message until then; after, another may take it (the first crashed).
    lease_until = models.DateTimeField(null=True, blank=True)
    claim = models.UUIDField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    provider_id = models.CharField(max_length=100, blank=True, db_index=True)
    provider_status = models.CharField(max_length=30, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The worker's look-up: only rows still to do are indexed (PostgreSQL uses it).
            models.Index(
                fields=["not_before"],
                condition=models.Q(status__in=["queued", "sending"]),
                name="comms_message_due",
            ),
            # The same for SQLite, which cannot match a partial index's condition to a query
            # whose values are bound parameters (Django's always are).
            models.Index(fields=["status", "not_before"], name="comms_message_status_due"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.purpose} {self.status}"


class DeliveryEvent(models.Model):
    """What happened to a message: each attempt, error and provider status report."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20)  # attempt, sent, retry, failed, provider, cancelled
    detail = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.detail}"


class OptOut(models.Model):
    """An address or number that asked not to be written to (by STOP or the e-mail link)."""

    channel = models.CharField(max_length=10, choices=ChannelKind.choices)
    address_hash = models.CharField(max_length=64)
    source = models.CharField(max_length=20)  # sms_stop, email_link, staff
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["channel", "address_hash"], name="comms_optout_unique")
        ]

    def __str__(self) -> str:
        return f"opt-out {self.channel} ({self.source})"


class InboundMessage(models.Model):
    """A reply: an e-mail answering one of ours, or an SMS from a known number."""

    channel = models.CharField(max_length=10, choices=ChannelKind.choices)
    request = models.ForeignKey(
        Request, null=True, blank=True, on_delete=models.PROTECT, related_name="replies"
    )
    requester = models.ForeignKey(
        Requester, null=True, blank=True, on_delete=models.PROTECT, related_name="replies"
    )
    sender = EncryptedTextField()
    sender_hash = models.CharField(max_length=64, db_index=True)
    subject = EncryptedTextField(blank=True)
    body = EncryptedTextField()
    # The provider's or the e-mail's own id: the same reply imported twice is kept once.
    external_id = models.CharField(max_length=300, unique=True)
    received_at = models.DateTimeField()

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.channel} reply {self.received_at:%Y-%m-%d %H:%M}"
