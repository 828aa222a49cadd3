"""What reports store: summary tables the dashboard reads (counts only, no names), the case
export register and background sitrep jobs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseSummary(models.Model):
    """How many open cases share a pathway, status, worker, team, province and ageing bucket,
    and how many of them are over their pathway's target.

    Rebuilt whole from the cases (summary.summaries_rebuild), so ageing is as of the rebuild;
    plain ids rather than foreign keys, since a rebuild replaces every row and the figures
    never name anyone.
    """

    pathway = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=32)
    assignee_id = models.BigIntegerField(null=True)
    team_id = models.BigIntegerField(null=True)
    province = models.CharField(max_length=100, blank=True)
    # Index into providers.BUCKETS (days waiting since the first request).
    bucket = models.PositiveSmallIntegerField()
    cases = models.PositiveIntegerField()
    people = models.PositiveIntegerField(default=0)
    over_target = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.pathway} {self.status} bucket {self.bucket}: {self.cases}"


class CaseWorkSummary(models.Model):
    """CaseSummary without the province: a few thousand rows at a million cases, read when
    no province is asked for (the default dashboard, pathway, team and worker filters)."""

    pathway = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=32)
    assignee_id = models.BigIntegerField(null=True)
    team_id = models.BigIntegerField(null=True)
    bucket = models.PositiveSmallIntegerField()
    cases = models.PositiveIntegerField()
    people = models.PositiveIntegerField(default=0)
    over_target = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.pathway} {self.status} bucket {self.bucket}: {self.cases}"


class RequestDaySummary(models.Model):
    """RequestSummary without the province (read when no province is asked for)."""

    day = models.DateField()
    channel = models.CharField(max_length=20)
    requests = models.PositiveIntegerField()
    people = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["day"], name="reports_request_day_only")]

    def __str__(self) -> str:
        return f"{self.day} {self.channel}: {self.requests}"


class MessageDaySummary(models.Model):
    """Outgoing messages by the local day they were written, channel and where they stand.
    A desk writes one receipt per request, so at a million requests the dashboard cannot
    count the outbox live; the figure is as of the last rebuild, like the others."""

    day = models.DateField()
    channel = models.CharField(max_length=10)
    status = models.CharField(max_length=12)
    messages = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["day"], name="reports_message_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.channel} {self.status}: {self.messages}"


class CaseDaySummary(models.Model):
    """Cases (any status) by the local day of their first request, pathway and province:
    the new cases of a period, for the sitrep and HXL exports."""

    day = models.DateField()
    pathway = models.CharField(max_length=64, blank=True)
    province = models.CharField(max_length=100, blank=True)
    cases = models.PositiveIntegerField()
    people = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["day"], name="reports_case_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.pathway}: {self.cases}"


class RequestSummary(models.Model):
    """How many requests came in on one day through one channel from one province."""

    day = models.DateField()
    channel = models.CharField(max_length=20)
    province = models.CharField(max_length=100, blank=True)
    requests = models.PositiveIntegerField()
    people = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["day"], name="reports_request_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.channel}: {self.requests}"


class SummaryState(models.Model):
    """When the summary tables were last rebuilt and how long that took (one row)."""

    key = models.CharField(max_length=20, unique=True, default="desk")
    built_at = models.DateTimeField(null=True)
    took_ms = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"Summaries built at {self.built_at}"


class SitrepJob(models.Model):
    """A situation report rendered in the background (large periods), with its progress."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Rendering")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        XLSX = "xlsx", "XLSX"

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    format = models.CharField(max_length=4, choices=Format.choices)
    language = models.CharField(max_length=10, default="en")
    filters = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    file_path = models.CharField(max_length=500, blank=True)
    error = models.CharField(max_length=300, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"Sitrep {self.pk} ({self.status})"


class CaseExport(models.Model):
    """The export register: every case export with personal data, from request to expiry."""

    class Status(models.TextChoices):
        AWAITING_APPROVAL = "awaiting", _("Awaiting a second supervisor's approval")
        APPROVED = "approved", _("Approved: the requester may create the file")
        READY = "ready", _("File ready to download")
        REFUSED = "refused", _("Refused")
        EXPIRED = "expired", _("Expired: the file is deleted")

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(max_length=300)
    fields = models.JSONField(default=list)
    unmasked = models.JSONField(default=list)
    filters = models.JSONField(default=dict)
    row_count = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    created_file_at = models.DateTimeField(null=True, blank=True)
    file_path = models.CharField(max_length=500, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    first_downloaded_at = models.DateTimeField(null=True, blank=True)
    last_downloaded_at = models.DateTimeField(null=True, blank=True)
    download_count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"Export {self.reference} ({self.status})"

    @property
    def reference(self) -> str:
        return f"X-{self.pk:05d}" if self.pk else "X-new"
