"""What triage stores: guidance versions, each case's facts, decisions and re-triage runs.

Cases never import this app; triage writes Case.pathway and Case.priority
through its services and keeps the why (rule, facts, explanation) here.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from haven.cases.models import Case


class GuidanceVersion(models.Model):
    """One validated version of a pack. Its source is stored: what is active is
    what was validated, whatever happens to the file later."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        RETIRED = "retired", _("Previously active")

    pack = models.CharField(max_length=100)
    version = models.CharField(max_length=64)
    effective_date = models.DateField()
    author = models.CharField(max_length=200, blank=True)
    change_note = models.TextField(blank=True)
    source = models.TextField()
    source_name = models.CharField(max_length=500, blank=True)
    sha256 = models.CharField(max_length=64)
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    activated_at = models.DateTimeField(null=True, blank=True)
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["pack", "version"], name="guidance_version_once"),
            # One guidance is in force at a time, for every case.
            models.UniqueConstraint(
                fields=["status"], condition=models.Q(status="active"), name="one_active_guidance"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return f"{self.pack}@{self.version}"


class FactSource(models.TextChoices):
    """Where a fact came from, in order of precedence (highest last): a request's answer is
    taken only for a fact the case did not know; a caseworker's correction beats any request
    and what Haven works out itself."""

    REQUEST = "request", _("from a request")
    DERIVED = "derived", _("worked out by Haven")
    CASEWORKER = "caseworker", _("set by a caseworker")


class CaseFacts(models.Model):
    """The facts triage decides on, one row per case. Absent keys are unknown."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="triage_facts")
    facts = models.JSONField(default=dict, blank=True)
    # Per fact, where it came from: {"source": FactSource, "request": id} for a request's
    # answer, {"source": "caseworker", "by": user id, "at": ISO time}, {"source": "derived"}.
    # A fact without an entry (stored before sources were kept) counts as a request's.
    sources = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name_plural = "case facts"

    def __str__(self) -> str:
        return f"Facts of case {self.case_id}"


class FactReview(models.Model):
    """New information to review: a request said something else than a fact the case knows.

    The case keeps its fact (nothing is overwritten, nothing re-triaged) until a caseworker
    accepts the new value, which then applies as their correction, or dismisses it.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("To review")
        ACCEPTED = "accepted", _("Accepted")
        DISMISSED = "dismissed", _("Dismissed")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="fact_reviews")
    fact = models.CharField(max_length=64)
    old_value = models.JSONField(null=True, blank=True)
    new_value = models.JSONField()
    # The source of the value the case had when the request came (FactSource).
    old_source = models.CharField(max_length=16, blank=True)
    request = models.ForeignKey(
        "intake.Request", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Case {self.case_id}: {self.fact} {self.old_value!r} → {self.new_value!r}"


class RetriageRun(models.Model):
    """Re-triage of every open case after an activation, with its progress."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        SUPERSEDED = "superseded", _("Stopped: other guidance was activated")

    guidance = models.ForeignKey(GuidanceVersion, on_delete=models.PROTECT, related_name="runs")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    # Unused since runs are split into shards (RetriageShard.last_case_id);
    # kept for runs queued before that, which carry on from here.
    last_case_id = models.BigIntegerField(default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Re-triage {self.pk} under {self.guidance_id}"

    @property
    def percent(self) -> int:
        if self.total == 0:
            return 100 if self.status == self.Status.DONE else 0
        return min(100, self.done * 100 // self.total)


class RetriageShard(models.Model):
    """One worker's share of a run: a disjoint range of case ids, with its own
    progress, so several `db_worker` processes re-triage a run side by side."""

    run = models.ForeignKey(RetriageRun, on_delete=models.CASCADE, related_name="shards")
    number = models.PositiveSmallIntegerField()
    # Cases with after_case_id < id <= up_to_case_id (no upper bound when null).
    after_case_id = models.BigIntegerField(default=0)
    up_to_case_id = models.BigIntegerField(null=True, blank=True)
    # The highest case id handled so far: a restarted task carries on from here.
    last_case_id = models.BigIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    finished = models.BooleanField(default=False)

    class Meta:
        ordering = ["run", "number"]
        constraints = [
            models.UniqueConstraint(fields=["run", "number"], name="retriage_shard_once")
        ]

    def __str__(self) -> str:
        return f"Shard {self.number} of run {self.run_id}"


class DecisionOutcome(models.Model):
    """What a decision says, rendered once and shared by every decision that
    says exactly the same: rule, pathway, next action, evidence still needed
    and explanation. A million decisions share a few hundred of these rows; the
    case-specific part (facts used, priority) stays on each TriageDecision."""

    # SHA-256 of the content below, so writers find or add an outcome without
    # comparing long texts, and two workers adding the same one cannot clash.
    key = models.CharField(max_length=64, unique=True)
    guidance = models.ForeignKey(GuidanceVersion, on_delete=models.PROTECT, related_name="outcomes")
    rule = models.CharField(max_length=100)
    pathway = models.CharField(max_length=64)
    next_action = models.TextField(blank=True)
    evidence_missing = models.JSONField(default=list, blank=True)
    requires_third_country = models.BooleanField(default=False)
    explanation = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"{self.pathway} ({self.rule})"


class TriageDecision(models.Model):
    """One decision, kept for good: the latest per case is the current one.

    The rendered texts live in the shared `outcome`; the properties below read
    them as if they were the decision's own fields.
    """

    class Reason(models.TextChoices):
        INTAKE = "intake", _("New request")
        CORRECTION = "correction", _("Facts corrected")
        ACTIVATION = "activation", _("New guidance activated")
        MANUAL = "manual", _("Re-triaged on request")

    # Indexed by triage_decision_latest (case, -id) below.
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="triage_decisions", db_index=False
    )
    guidance = models.ForeignKey(
        GuidanceVersion, on_delete=models.PROTECT, related_name="decisions"
    )
    outcome = models.ForeignKey(DecisionOutcome, on_delete=models.PROTECT, related_name="+")
    priority = models.IntegerField(default=0)
    priority_breakdown = models.JSONField(default=dict, blank=True)
    facts_used = models.JSONField(default=dict, blank=True)
    reason = models.CharField(max_length=16, choices=Reason.choices)
    run = models.ForeignKey(
        RetriageRun, null=True, blank=True, on_delete=models.PROTECT, related_name="decisions"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-decided_at", "-id"]
        indexes = [models.Index(fields=["case", "-id"], name="triage_decision_latest")]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.pathway} ({self.rule})"

    @property
    def rule(self) -> str:
        return self.outcome.rule

    @property
    def pathway(self) -> str:
        return self.outcome.pathway

    @property
    def next_action(self) -> str:
        return self.outcome.next_action

    @property
    def evidence_missing(self) -> list[str]:
        return list(self.outcome.evidence_missing)

    @property
    def requires_third_country(self) -> bool:
        return self.outcome.requires_third_country

    @property
    def explanation(self) -> str:
        return self.outcome.explanation
