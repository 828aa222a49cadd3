"""The partner directory in the shape of Open Referral HSDS 3.0, and sharing agreements.

HSDS `organization` is accounts.Organization (its HSDS fields live on SharingAgreement's
neighbour, the organisation's services and locations); `service`, `location`, `language` and
`service_area` are the models below, with HSDS ids (UUIDs) so an export can be imported
elsewhere and back without duplicating anything.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from haven.accounts.models import Organization


class ServiceKind(models.TextChoices):
    RESETTLEMENT_REGISTRATION = "resettlement_registration", _("Resettlement registration")
    PROTECTION = "protection", _("Protection")
    LEGAL_AID = "legal_aid", _("Legal aid")
    MEDICAL = "medical", _("Medical")
    SHELTER = "shelter", _("Shelter")
    CASH = "cash", _("Cash assistance")
    PSYCHOSOCIAL = "psychosocial", _("Psychosocial support")
    CHILD_PROTECTION = "child_protection", _("Child protection")
    OTHER = "other", _("Other")


class Urgency(models.TextChoices):
    ROUTINE = "routine", _("Routine")
    URGENT = "urgent", _("Urgent")
    EMERGENCY = "emergency", _("Emergency")


class Delivery(models.TextChoices):
    ON_HAVEN = "on_haven", _("Uses Haven (accounts and API)")
    OFF_HAVEN = "off_haven", _("Not on Haven: e-mail with a signed link")


# What an agreement may let a partner receive; nothing else ever leaves in a snapshot.
SHAREABLE_FIELDS: dict[str, Promise] = {
    "names": _("Names"),
    "father_name": _("Father's name"),
    "sex": _("Sex"),
    "year_of_birth": _("Year of birth"),
    "date_of_birth": _("Date of birth"),
    "phone": _("Phone"),
    "email": _("E-mail"),
    "current_location": _("Current location"),
    "pathway": _("Pathway"),
    "vulnerabilities": _("Vulnerabilities"),
    "language": _("Language"),
}
# Identifiers are shared only when the agreement names their kind.
SHAREABLE_IDENTIFIERS = ("passport", "e_tazkira", "paper_tazkira", "siv_case", "unhcr")

# Hours to acknowledge and days to an outcome, per urgency, unless the agreement says otherwise.
DEFAULT_DEADLINES: dict[str, dict[str, int]] = {
    Urgency.ROUTINE: {"acknowledge_hours": 72, "outcome_days": 30},
    Urgency.URGENT: {"acknowledge_hours": 24, "outcome_days": 14},
    Urgency.EMERGENCY: {"acknowledge_hours": 4, "outcome_days": 3},
}


def _default_deadlines() -> dict[str, dict[str, int]]:
    return {k: dict(v) for k, v in DEFAULT_DEADLINES.items()}


class SharingAgreement(models.Model):
    """What one partner may receive, and how it receives referrals. No agreement, no referral."""

    organization = models.OneToOneField(
        Organization, on_delete=models.PROTECT, related_name="sharing_agreement"
    )
    # HSDS organization fields Haven's Organization lacks.
    hsds_id = models.UUIDField(default=uuid.uuid4, unique=True)
    description = models.TextField(blank=True)
    website = models.URLField(blank=True)
    fields = models.JSONField(default=list)
    identifier_kinds = models.JSONField(default=list, blank=True)
    delivery = models.CharField(max_length=16, choices=Delivery.choices, default=Delivery.ON_HAVEN)
    # Off Haven: the link goes to contact_email, the one-time code to code_email (a second
    # inbox or an SMS gateway's address), never in the same message.
    contact_email = models.EmailField(blank=True)
    code_email = models.EmailField(blank=True)
    # Optional passphrase agreed in the directory, accepted instead of a one-time code.
    passphrase_hash = models.CharField(max_length=200, blank=True)
    deadlines = models.JSONField(default=_default_deadlines)
    reference = models.CharField(max_length=100, blank=True)
    signed_on = models.DateField(null=True, blank=True)
    active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Agreement with {self.organization}"

    def deadline(self, urgency: str) -> tuple[dt.timedelta, dt.timedelta]:
        spec = {**DEFAULT_DEADLINES[Urgency.ROUTINE], **DEFAULT_DEADLINES.get(urgency, {})}
        spec.update((self.deadlines or {}).get(urgency, {}))
        return dt.timedelta(hours=spec["acknowledge_hours"]), dt.timedelta(
            days=spec["outcome_days"]
        )


class Location(models.Model):
    """HSDS `location` (physical), with its one address."""

    hsds_id = models.UUIDField(default=uuid.uuid4, unique=True)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="locations"
    )
    name = models.CharField(max_length=200)
    address_1 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    region = models.CharField(max_length=100, blank=True)
    country = models.CharField(max_length=2, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["organization_id", "name"]

    def __str__(self) -> str:
        return self.name


class Service(models.Model):
    """HSDS `service`: what a partner offers; a referral asks for one."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        INACTIVE = "inactive", _("Inactive")

    hsds_id = models.UUIDField(default=uuid.uuid4, unique=True)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="services"
    )
    name = models.CharField(max_length=200)
    # Haven's code for the kind of service, so the CLI and bulk can name it ("protection").
    kind = models.CharField(max_length=32, choices=ServiceKind.choices)
    description = models.TextField(blank=True)
    email = models.EmailField(blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    locations = models.ManyToManyField(Location, blank=True, related_name="services")

    class Meta:
        ordering = ["organization_id", "name"]

    def __str__(self) -> str:
        return f"{self.organization} · {self.name}"


class ServiceLanguage(models.Model):
    """HSDS `language` of a service."""

    hsds_id = models.UUIDField(default=uuid.uuid4, unique=True)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="languages")
    name = models.CharField(max_length=100)
    code = models.CharField(max_length=16)

    def __str__(self) -> str:
        return self.name


class ServiceArea(models.Model):
    """HSDS `service_area`: where a service is offered."""

    hsds_id = models.UUIDField(default=uuid.uuid4, unique=True)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="service_areas")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.name
