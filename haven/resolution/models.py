"""Resolved identities: a Person, and the links that say which records describe them.

A link is never edited or deleted: undoing one ends it (ended_at) and a new
link is made, so every past decision stays readable.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from haven.common.fields import EncryptedJSONField, EncryptedTextField
from haven.intake.models import DatePrecision, PersonRecord, Sex


class Person(models.Model):
    display_name = models.CharField(max_length=300, blank=True)
    # Set when this person was merged into another; the row is kept for unmerge.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_from"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.display_name or f"Person {self.pk}"


class PersonLink(models.Model):
    class Method(models.TextChoices):
        NEW_PERSON = "new_person", _("New person: no earlier match")
        RULE = "rule", _("Automatic match")
        REVIEWER = "reviewer", _("Reviewer decision")
        MERGE = "merge", _("Merge of two people")

    person_record = models.ForeignKey(PersonRecord, on_delete=models.PROTECT, related_name="links")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="links")
    method = models.CharField(max_length=20, choices=Method.choices)
    rule = models.CharField(max_length=100, blank=True)
    score = models.FloatField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The merge (or its undoing) that made this link, when one did.
    merge = models.ForeignKey(
        "PersonMerge", null=True, blank=True, on_delete=models.PROTECT, related_name="links"
    )
    # The link this one took over from, when a merge or an unmerge moved the record:
    # following it back gives the record's whole history, and what an unmerge restores.
    replaces = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            # One current link per record; ended links are history.
            models.UniqueConstraint(
                fields=["person_record"],
                condition=Q(ended_at__isnull=True),
                name="one_current_link_per_record",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_record_id} → {self.person_id} ({self.method})"


class PersonMerge(models.Model):
    """One person folded into another: who, when, why. Undoing it (unmerge) keeps the row."""

    source = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges_out")
    target = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges_in")
    # Reviewers' free text: encrypted at rest.
    reason = EncryptedTextField(blank=True)
    decision = models.ForeignKey(
        "ReviewDecision", null=True, blank=True, on_delete=models.PROTECT, related_name="merges"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    undo_reason = EncryptedTextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Merge {self.pk}: person {self.source_id} → {self.target_id}"


class MatchProfile(models.Model):
    """What the matcher compares for one record, prepared once at intake.

    Names and dates as keys; identifiers only as keyed hashes (never in clear).
    Records never change, so neither does their profile.
    """

    person_record = models.OneToOneField(
        PersonRecord, primary_key=True, on_delete=models.PROTECT, related_name="match_profile"
    )
    data = models.JSONField()
    insufficient = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"Profile of record {self.person_record_id}"


class BlockingKey(models.Model):
    """One candidate-finding key of one record: a 64-bit keyed hash of the blocked values.

    Two records that share a key are scored against each other at intake. The
    hash hides the values (a key may be built from an identifier) and keeps the
    index small at millions of rows.
    """

    key = models.BigIntegerField()
    person_record = models.ForeignKey(
        PersonRecord, on_delete=models.PROTECT, related_name="+", db_index=False
    )

    class Meta:
        constraints = [
            # Also the look-up index: key first, and the record id is read from the index alone.
            models.UniqueConstraint(fields=["key", "person_record"], name="blocking_key_record")
        ]

    def __str__(self) -> str:
        return f"{self.key} → {self.person_record_id}"


class NameSearchKey(models.Model):
    """One name search key of one record (`search_keys.py`): a 64-bit keyed hash of a
    consonant token, a pair of them, the whole name or a father's name token.

    Built from the record's match profile, never from an identifier. The case search
    looks keys up to find the records (and through their current link, the people and
    cases) that a typed name may mean.
    """

    key = models.BigIntegerField()
    person_record = models.ForeignKey(
        PersonRecord, on_delete=models.PROTECT, related_name="+", db_index=False
    )

    class Meta:
        constraints = [
            # The look-up index: key first, newest records read first from the index alone.
            models.UniqueConstraint(fields=["key", "person_record"], name="name_search_key_record")
        ]
        indexes = [
            # Rebuilding and erasing a record's keys finds them without a scan.
            models.Index(fields=["person_record"], name="name_search_key_by_record")
        ]

    def __str__(self) -> str:
        return f"{self.key} → {self.person_record_id}"


class ReviewItem(models.Model):
    """A pair of records that may be one person: too uncertain to link without a person."""

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for review")
        SAME = "same", _("Decided: the same person")
        NOT_SAME = "not_same", _("Decided: not the same person")

    class Source(models.TextChoices):
        INTAKE = "intake", _("At intake")
        BATCH = "batch", _("Batch run")
        EDIT = "edit", _("After a record was corrected")

    # The pair in id order (a < b), so a pair is one row whichever side arrived first.
    record_a = models.ForeignKey(PersonRecord, on_delete=models.PROTECT, related_name="+")
    record_b = models.ForeignKey(PersonRecord, on_delete=models.PROTECT, related_name="+")
    score = models.FloatField()
    # Per-field level, weight and agreement, as the scorer explained the pair.
    details = models.JSONField(default=dict)
    # Why it is here: "between thresholds", "refused by the household guard", ...
    reason = models.CharField(max_length=100, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-score", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["record_a", "record_b"],
                condition=Q(status="open"),
                name="one_open_review_per_pair",
            ),
            models.CheckConstraint(
                condition=Q(record_a__lt=models.F("record_b")), name="review_pair_ordered"
            ),
        ]
        indexes = [models.Index(fields=["status", "-score"])]

    def __str__(self) -> str:
        return f"Review {self.record_a_id} / {self.record_b_id} ({self.status})"


class ReviewDecision(models.Model):
    """A reviewer's word on a pair of records. Kept forever; the latest for a pair counts,
    in every later intake and batch run."""

    class Decision(models.TextChoices):
        SAME = "same", _("The same person")
        NOT_SAME = "not_same", _("Not the same person")

    record_a = models.ForeignKey(PersonRecord, on_delete=models.PROTECT, related_name="+")
    record_b = models.ForeignKey(PersonRecord, on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(
        ReviewItem, null=True, blank=True, on_delete=models.PROTECT, related_name="decisions"
    )
    decision = models.CharField(max_length=10, choices=Decision.choices)
    note = EncryptedTextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-decided_at", "-id"]
        indexes = [models.Index(fields=["record_a", "record_b"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(record_a__lt=models.F("record_b")), name="decision_pair_ordered"
            )
        ]

    def __str__(self) -> str:
        return f"{self.record_a_id} / {self.record_b_id}: {self.decision}"


class ResolutionRun(models.Model):
    """One `haven resolve` batch run and what it changed."""

    engine = models.CharField(max_length=20)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    records = models.PositiveIntegerField(default=0)
    summary = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"Run {self.pk} ({self.engine})"


class RecordVersion(models.Model):
    """A correction of a person record by staff: the record as it should read now.

    The record itself stays as it was received (with its request's raw input); each
    correction is a new version (2, 3, …; 1 is the record as received), kept with who made it
    and why. Matching reads the newest version (the record's MatchProfile and blocking keys are
    rebuilt from it, services_records.record_edit); names and dates stay in clear for the same
    reason as the record's (search and blocking read them), identifiers are encrypted.
    """

    record = models.ForeignKey(PersonRecord, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField()
    full_name = models.CharField(max_length=300, blank=True)
    given_name = models.CharField(max_length=150, blank=True)
    family_name = models.CharField(max_length=150, blank=True)
    father_name = models.CharField(max_length=150, blank=True)
    search_text = models.CharField(max_length=700, blank=True)
    sex = models.CharField(max_length=1, choices=Sex.choices, blank=True)
    dob_as_written = models.CharField(max_length=50, blank=True)
    dob = models.DateField(null=True, blank=True)
    dob_precision = models.CharField(
        max_length=20, choices=DatePrecision.choices, default=DatePrecision.UNKNOWN
    )
    # [{"kind", "as_written", "normalized", "valid"}]: encrypted, as Identifier's values are.
    identifiers = EncryptedJSONField(default=list, blank=True)
    # Keyed hashes of the normalised document numbers ("kind:hash"), for the duplicate check.
    identifier_hashes = models.JSONField(default=list, blank=True)
    # What changed from the version before: "names", "date_of_birth", "sex", "identifiers".
    changed = models.JSONField(default=list)
    reason = EncryptedTextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["record_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["record", "number"], name="record_version_once")
        ]

    def __str__(self) -> str:
        return f"Record {self.record_id} version {self.number}"

    @property
    def display_name(self) -> str:
        return self.full_name or " ".join(p for p in (self.given_name, self.family_name) if p)
