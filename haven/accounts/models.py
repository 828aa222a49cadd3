"""Users, their role, and the organisation they work for."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Organization(models.Model):
    class Kind(models.TextChoices):
        TASK_FORCE = "task_force", _("Task force")
        PARTNER = "partner", _("Partner organisation")
        REQUESTING_BODY = "requesting_body", _("Requesting body")

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    # e.g. "UNHCR", "IOM", "NGO", "US government office": free text, for display.
    category = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    INTAKE_OFFICER = "intake_officer", _("Intake officer")
    CASEWORKER = "caseworker", _("Caseworker")
    SUPERVISOR = "supervisor", _("Supervisor")
    PARTNER = "partner", _("Partner-organisation staff")
    ADMIN = "admin", _("Administrator")
    # No role: an account that exists but may see nothing (e.g. pending approval).
    NONE = "none", _("No access")


class User(AbstractUser):
    role = models.CharField(max_length=32, choices=Role.choices, default=Role.NONE)
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    # Bumped when the user's second factors are reset or the account is deactivated: a
    # session verified under an older value is no longer verified (haven/accounts/two_factor.py),
    # without a query of its own since the user row is read on every request anyway.
    second_factor_epoch = models.PositiveIntegerField(default=0, editable=False)
    # The menu's count of unread alerts, kept by haven.cases.alerts when alerts are raised or
    # read: the user row is read on every request anyway, so the menu costs no query.
    unread_alerts = models.PositiveIntegerField(default=0, editable=False)

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Team(models.Model):
    """A group of users by language, location or pathway. Cases can be assigned to a team, and
    "take next" offers a member the unassigned cases of their teams, and those whose pathway,
    language or province the team covers (`values`)."""

    class Kind(models.TextChoices):
        LANGUAGE = "language", _("Language")
        LOCATION = "location", _("Location")
        PATHWAY = "pathway", _("Pathway")

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # What the team covers: language codes (fa, ps), provinces as written, or pathway codes.
    values = models.JSONField(default=list, blank=True)
    members = models.ManyToManyField(User, related_name="teams", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# Re-exported: the models live in their own modules, Django and callers find them here.
from .models_api import ApiToken as ApiToken  # noqa: E402
from .models_approvals import Approval as Approval  # noqa: E402
