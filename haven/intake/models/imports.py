"""Spreadsheet and e-mail imports: each run, what became of every row, and what each message carried.

A row's fate is recorded so that nothing is silently lost: an imported row has an
ImportedRow (whose per-source fingerprint is unique, so the same row can never be
imported twice), a rejected row has a RejectedRow with its cells as read, and a
skipped row is one whose fingerprint already existed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from haven.accounts.models import Organization
from haven.common.fields import EncryptedJSONField, EncryptedTextField

from .core import Request


class ImportMapping(models.Model):
    """Column corrections staff made for one source organisation, applied to its next files."""

    organization = models.OneToOneField(
        Organization, on_delete=models.PROTECT, related_name="import_mapping"
    )
    # Normalised header -> field name ("ignore" to skip the column).
    columns = models.JSONField(default=dict, blank=True)
    # The source's words for eligibility answers: column -> normalised value -> fact value
    # ("usaid project" -> "us_funded_program"), used before fact_values.csv.
    fact_values = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"Column mapping for {self.organization}"


class ImportBatch(models.Model):
    """One run of one file (or mailbox) through the importer."""

    class Kind(models.TextChoices):
        SPREADSHEET = "spreadsheet", _("Spreadsheet")
        EMAIL = "email", _("E-mail")

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded, columns to check")
        PREVIEWING = "previewing", _("Checking rows (dry run)")
        PREVIEWED = "previewed", _("Checked, ready to import")
        QUEUED = "queued", _("Waiting to import")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Stopped with an error")

    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.SPREADSHEET)
    organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="import_batches",
    )
    file_name = models.CharField(max_length=255)
    file_sha256 = models.CharField(max_length=64, db_index=True, blank=True)
    file_size = models.BigIntegerField(default=0)
    # Where an upload waits in storage until it is imported; emptied once done.
    stored_path = models.CharField(max_length=255, blank=True)
    file_format = models.CharField(max_length=20, blank=True)
    sheet_name = models.CharField(max_length=100, blank=True)
    header_row = models.PositiveIntegerField(default=0)
    headers = models.JSONField(default=list, blank=True)
    # One field name per column, in column order: the mapping this run uses.
    mapping = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.UPLOADED)
    # The dry run's findings, bounded in size (see importing.preview): they name people
    # (each problem row's label), so they are encrypted at rest.
    preview = EncryptedJSONField(default=dict, blank=True)
    # Progress, counted inside each committed chunk, so after a crash they say exactly
    # how far the run got and a resumed run carries on from there.
    rows = models.PositiveIntegerField(default=0)
    imported = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    rows_expected = models.PositiveIntegerField(null=True, blank=True)
    # May quote what a row held (a database error names the value it refused).
    error = EncryptedTextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # Moved with every committed chunk: a running batch whose heartbeat is old has died.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "import batches"

    def __str__(self) -> str:
        return f"Import {self.pk} ({self.file_name})"

    @property
    def is_active(self) -> bool:
        return self.status in {self.Status.PREVIEWING, self.Status.QUEUED, self.Status.RUNNING}


class ImportedRow(models.Model):
    """The fingerprint of an imported row: unique per source, so re-imports create nothing twice.

    A keyed hash (importing.rows.fingerprint): a plain hash of a row's cells could be
    confirmed by anyone who guesses the row (a name, a birth year and a phone)."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    fingerprint = models.CharField(max_length=64)
    batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, related_name="imported_rows")
    row_number = models.PositiveIntegerField()
    # Several rows of one household make one request (importing/households.py).
    request = models.ForeignKey(Request, on_delete=models.PROTECT, related_name="imported_rows")
    # Keyed hash of the batch and the row's household value ("" when none): finds the
    # request a household's later rows belong with, without keeping the value in clear.
    household_key = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "fingerprint"], name="imported_row_once_per_source"
            )
        ]
        indexes = [
            models.Index(
                fields=["batch", "household_key"],
                name="imported_row_household",
                condition=~models.Q(household_key=""),
            )
        ]

    def __str__(self) -> str:
        return f"Row {self.row_number} of import {self.batch_id}"


class RejectedRow(models.Model):
    """A row that carried nothing to import, kept as read for the error report."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, related_name="rejected_rows")
    row_number = models.PositiveIntegerField()
    reason = models.CharField(max_length=40)
    # The cells as read, and the message (which may quote them): encrypted at rest.
    message = EncryptedTextField()
    cells = EncryptedJSONField(default=list, blank=True)

    class Meta:
        ordering = ["batch_id", "row_number"]

    def __str__(self) -> str:
        return f"Row {self.row_number} of import {self.batch_id}: {self.reason}"


class MailMessage(models.Model):
    """An imported e-mail: the request holds the message verbatim; this holds its envelope."""

    # A hash of the Message-ID (or of the whole message when it has none): the duplicate guard.
    message_key = models.CharField(max_length=64, unique=True)
    # The envelope is as personal as the body: the sender's address, and a subject that by
    # the applicants' convention holds a name and a date of birth. Encrypted at rest.
    message_id = EncryptedTextField(blank=True)
    request = models.OneToOneField(Request, on_delete=models.PROTECT, related_name="mail_message")
    batch = models.ForeignKey(
        ImportBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="mail_messages"
    )
    sender = EncryptedTextField(blank=True)
    subject = EncryptedTextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Problems found while reading it, e.g. ["subject_unparsed", "members_unnamed:3"].
    flags = models.JSONField(default=list, blank=True)
    # Keyed hashes (importing.senders) of the sender's address and of the principal's name,
    # loosely spelt: how many families an address writes for, without keeping either in clear.
    sender_hash = models.CharField(max_length=64, blank=True, default="")
    family_key = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        indexes = [
            models.Index(
                fields=["sender_hash", "family_key"],
                name="mail_message_sender",
                condition=~models.Q(sender_hash=""),
            )
        ]

    def __str__(self) -> str:
        return str(self.subject or self.message_id)


class MailMessagePart(models.Model):
    """One family of an office's list: a message naming several families becomes one request
    per family. Every part's request keeps the message verbatim as its raw input; the part
    says which family of the message it is, and where the message's envelope is."""

    message = models.ForeignKey(MailMessage, on_delete=models.PROTECT, related_name="parts")
    request = models.OneToOneField(Request, on_delete=models.PROTECT, related_name="mail_part")
    # 1-based, in the order the list gives the families; `of` is how many it gave.
    position = models.PositiveSmallIntegerField()
    of = models.PositiveSmallIntegerField()
    # The family's lines as written (names, dates, numbers): encrypted like the body.
    excerpt = EncryptedTextField(blank=True)
    # What reading this family found uncertain, e.g. ["members_unnamed:2"].
    flags = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["message_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["message", "position"], name="mail_part_position")
        ]

    def __str__(self) -> str:
        return f"{self.position}/{self.of}"


class MailAttachment(models.Model):
    """What an attachment says it is, and what its content shows it to be."""

    message = models.ForeignKey(MailMessage, on_delete=models.PROTECT, related_name="attachments")
    position = models.PositiveSmallIntegerField()
    # "passport_P1234567.jpg": names of attachments say what they are of.
    filename = EncryptedTextField(blank=True)
    declared_type = models.CharField(max_length=100, blank=True)
    detected_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    type_mismatch = models.BooleanField(default=False)

    class Meta:
        ordering = ["message_id", "position"]

    def __str__(self) -> str:
        return self.filename or f"attachment {self.position}"


class MailboxCursor(models.Model):
    """How far polling one IMAP mailbox has got: every message with a UID up to `last_uid`
    (under `uidvalidity`) is in, or was skipped as already in. Moved on only after the chunk
    holding those messages committed, so a dropped connection or a crash re-reads at most one
    chunk, which the Message-ID guard (MailMessage.message_key) skips."""

    # A keyed hash of host, account and folder: which mailbox, without its address in clear.
    mailbox = models.CharField(max_length=64, unique=True)
    uidvalidity = models.BigIntegerField(default=0)
    last_uid = models.BigIntegerField(default=0)
    polled_at = models.DateTimeField(null=True, blank=True)
    # The last poll's failure in words (no message content), shown on the import page.
    last_error = models.CharField(max_length=300, blank=True, default="")

    def __str__(self) -> str:
        return f"mailbox {self.mailbox[:8]}… at UID {self.last_uid}"
