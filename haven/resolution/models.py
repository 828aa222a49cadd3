"""Resolved identities: a Person, and the links that say which records describe them.

A link is never edited or deleted: undoing one ends it (ended_at) and a new
link is made, so every past decision stays readable.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from haven.intake.models import PersonRecord


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
