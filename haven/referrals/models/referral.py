"""Consent, referrals and what happens to them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from haven.accounts.models import Organization
from haven.cases.models import Case, CaseMember
from haven.common.fields import EncryptedTextField
from haven.intake.models import Request

from .directory import Service, Urgency


class Consent(models.Model):
    """A household's consent to share its data, as a caseworker recorded it.

    Consent on the public form (or any channel) whose statement covered sharing needs no row
    of its own: the request's consent_version is the record (HAVEN_REFERRAL_CONSENT_VERSIONS).
    """

    class Scope(models.TextChoices):
        ALL_PARTNERS = "all_partners", _("Any partner organisation")
        PARTNER_KINDS = "partner_kinds", _("Kinds of partner")
        PARTNERS = "partners", _("Named partners")

    class Source(models.TextChoices):
        WALK_IN = "walk_in", _("In person, at the desk")
        PHONE = "phone", _("By phone")
        WRITTEN = "written", _("In writing (form or letter)")
        REQUEST = "request", _("In a request")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="consents")
    given_at = models.DateTimeField()
    given_by = models.CharField(max_length=200, blank=True)  # who in the household
    purpose = models.CharField(max_length=300)
    scope = models.CharField(max_length=16, choices=Scope.choices)
    partner_kinds = models.JSONField(default=list, blank=True)  # Organization.category values
    partners = models.ManyToManyField(Organization, blank=True, related_name="+")
    source = models.CharField(max_length=16, choices=Source.choices)
    source_request = models.ForeignKey(
        Request, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # What was said in the conversation: may name people, so encrypted.
    note = EncryptedTextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-given_at", "-id"]

    def __str__(self) -> str:
        return f"Consent {self.pk} for case {self.case_id}"

    def covers(self, organization: Organization, partner_ids: set[int] | None = None) -> bool:
        if self.withdrawn_at is not None:
            return False
        if self.scope == self.Scope.ALL_PARTNERS:
            return True
        if self.scope == self.Scope.PARTNER_KINDS:
            return bool(organization.category) and organization.category in self.partner_kinds
        ids = partner_ids if partner_ids is not None else {p.pk for p in self.partners.all()}
        return organization.pk in ids


class ReferralStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# With the partner and not yet closed: the case stays "referred" while any is.
OPEN_STATUSES = (
    ReferralStatus.SENT,
    ReferralStatus.ACKNOWLEDGED,
    ReferralStatus.ACCEPTED,
    ReferralStatus.IN_PROGRESS,
)


class ReferralOutcome(models.TextChoices):
    SERVICE_PROVIDED = "service_provided", _("Service provided")
    REGISTRATION_DONE = "registration_done", _("Resettlement registration done")
    NOT_REACHABLE = "not_reachable", _("Not reachable")
    INELIGIBLE = "ineligible", _("Ineligible")
    REFERRED_ON = "referred_on", _("Referred on to another service")
    OTHER = "other", _("Other")


class BulkReferral(models.Model):
    """One bulk send: who, to whom, and the manifest of every case and what happened to it."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    source = models.CharField(max_length=200)  # "queue refer_unhcr" or "3 cases named"
    # {"sent": [[case_id, referral_id], ...], "refused_no_consent": [case_id, ...], ...}
    manifest = models.JSONField(default=dict)
    sent = models.PositiveIntegerField(default=0)
    refused_no_consent = models.PositiveIntegerField(default=0)
    skipped_open_referral = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"Bulk referral {self.pk} to {self.organization_id}"


class Referral(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="referrals")
    members = models.ManyToManyField(CaseMember, related_name="referrals")
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="referrals_received"
    )
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="referrals")
    urgency = models.CharField(max_length=16, choices=Urgency.choices, default=Urgency.ROUTINE)
    reason = EncryptedTextField()
    status = models.CharField(
        max_length=16, choices=ReferralStatus.choices, default=ReferralStatus.DRAFT
    )
    # Exactly what the partner receives, as JSON, frozen when sent (encrypted: it is personal).
    snapshot = EncryptedTextField(blank=True)
    # The basis for sharing: a consent record, a request whose consent covered sharing, or a
    # supervisor's override with a written reason.
    consent = models.ForeignKey(
        Consent, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals"
    )
    consent_request = models.ForeignKey(
        Request, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    override_reason = EncryptedTextField(blank=True)
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    bulk = models.ForeignKey(
        BulkReferral, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    acknowledge_due = models.DateTimeField(null=True, blank=True)
    outcome_due = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    decline_reason = EncryptedTextField(blank=True)
    outcome = models.CharField(max_length=32, choices=ReferralOutcome.choices, blank=True)
    outcome_note = EncryptedTextField(blank=True)
    # Set by the periodic job (referrals.overdue): an acknowledgement or outcome is late.
    overdue = models.BooleanField(default=False)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [
            # The partner's list: one organisation's referrals, newest change first.
            models.Index(fields=["organization", "-updated_at", "-id"], name="referral_partner"),
            # ... filtered by status, and the few overdue ones.
            models.Index(
                fields=["organization", "status", "-updated_at", "-id"],
                name="referral_partner_status",
            ),
            models.Index(
                fields=["organization", "-updated_at", "-id"],
                condition=models.Q(overdue=True),
                name="referral_partner_overdue",
            ),
            models.Index(fields=["case", "organization", "status"], name="referral_case_org"),
            models.Index(fields=["status", "overdue"], name="referral_status_overdue"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"R-{self.pk:07d}" if self.pk else "R-new"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class ReferralEvent(models.Model):
    """The referral's status history (and other things that happened to it)."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="events")
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Who it was when no account was used: "off-Haven link", "API token hvn_abc…".
    actor_label = models.CharField(max_length=200, blank=True)
    note = EncryptedTextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.referral_id}: {self.from_status} → {self.to_status}"


class ReferralMessage(models.Model):
    """The thread between the sender and the partner about one referral."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    author_label = models.CharField(max_length=200, blank=True)
    from_partner = models.BooleanField()
    body = EncryptedTextField()
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"Message {self.pk} on {self.referral_id}"


class ReferralLink(models.Model):
    """A signed, expiring link for a partner not on Haven; the page also needs a code."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="links")
    # Random, in the signed link; the signature and this row must both hold.
    key = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The current one-time code, as a keyed hash; emptied once used.
    code_hash = models.CharField(max_length=64, blank=True)
    code_sent_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Link {self.pk} for {self.referral_id}"
