"""Tasks on a case, the alerts raised when a task or a case passes its target, and who wants
them by e-mail. Imported by cases.models, so `from haven.cases.models import Task` works."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from haven.common.fields import EncryptedTextField


class Task(models.Model):
    """Something to do on a case: typed by a caseworker, or one item of triage's "still
    needed" evidence (`evidence_code` set), which closes itself when the evidence arrives."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    class Closed(models.TextChoices):
        """How a task stopped being open."""

        BY_HAND = "by_hand", _("by hand")
        EVIDENCE_ARRIVED = "evidence_arrived", _("the evidence arrived")
        NO_LONGER_NEEDED = "no_longer_needed", _("no longer needed")

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="tasks")
    # Typed by staff (it can name a person or a document number): encrypted. Evidence tasks
    # keep the English label here and are shown in the reader's language (registry).
    title = EncryptedTextField()
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_tasks",
    )
    due_date = models.DateField(null=True, blank=True, db_index=True)
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    # The evidence item the task is about: a code of the guidance pack (`identity_document`)
    # or a fact's name (`nationality`); blank for a task typed by hand with no link.
    evidence_code = models.CharField(max_length=64, blank=True)
    # Made by triage's checklist rather than typed by someone.
    automatic = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_how = models.CharField(max_length=20, choices=Closed.choices, blank=True)

    class Meta:
        ordering = ["status", "due_date", "id"]
        constraints = [
            # One open checklist item per evidence code and case, whatever two triage runs
            # at the same moment decide (a typed task may name the same evidence).
            models.UniqueConstraint(
                fields=["case", "evidence_code"],
                condition=Q(status="open", automatic=True),
                name="task_open_evidence_once",
            )
        ]
        indexes = [models.Index(fields=["assignee", "status", "due_date"], name="task_due_idx")]

    def __str__(self) -> str:
        return f"Task {self.pk} on case {self.case_id} ({self.status})"


class AlertBreach(models.Model):
    """One breach of a target: a task past its due date, or a case past its pathway's target.
    `key` names the breach exactly (the task and the due date it passed; the case and the
    pathway whose target it passed), so the periodic job raises it once however often it
    runs; a new due date or a new pathway is a new breach."""

    class Kind(models.TextChoices):
        TASK_OVERDUE = "task_overdue", _("Task overdue")
        CASE_OVER_TARGET = "case_over_target", _("Case over its pathway's target")

    kind = models.CharField(max_length=20, choices=Kind.choices)
    key = models.CharField(max_length=100, unique=True)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="breaches")
    task = models.ForeignKey(
        Task, null=True, blank=True, on_delete=models.PROTECT, related_name="breaches"
    )
    # The due date passed, or the target in days: shown in the alert, no personal data.
    due_date = models.DateField(null=True, blank=True)
    target_days = models.PositiveIntegerField(null=True, blank=True)
    # The pathway whose target the case passed (a code, blank for a task's breach).
    pathway = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.key


class Alert(models.Model):
    """A breach as one person is told of it: the assignee, the case's supervisors."""

    breach = models.ForeignKey(AlertBreach, on_delete=models.CASCADE, related_name="alerts")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alerts"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # Set when the alert went out in an e-mail digest (or the user had none to send it to).
    digested_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["breach", "user"], name="alert_once")]
        indexes = [models.Index(fields=["user", "read_at"], name="alert_unread_idx")]

    def __str__(self) -> str:
        return f"Alert {self.pk} for user {self.user_id}"


class AlertPreference(models.Model):
    """Whether a user wants their new alerts by e-mail, once a day (the digest)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alert_preference"
    )
    email_digest = models.BooleanField(default=False)
    # The local day the last digest went out: one e-mail per user per day at most.
    digest_sent_on = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Alert preference of user {self.user_id}"
