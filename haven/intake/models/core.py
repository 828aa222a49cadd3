"""What came in: requests, who sent them, and the people they describe, as given.

Nothing here is a resolved identity: a PersonRecord is one request's account of
a person; resolution links records to a Person.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from haven.accounts.models import Organization
from haven.common import crypto
from haven.common.fields import EncryptedJSONField, EncryptedTextField


class Channel(models.TextChoices):
    WEB_FORM = "web_form", _("Public web form")
    WALK_IN = "walk_in", _("Walk-in")
    SPREADSHEET = "spreadsheet", _("Spreadsheet import")
    EMAIL = "email", _("E-mail")
    API = "api", _("Partner API")


class Requester(models.Model):
    class Kind(models.TextChoices):
        APPLICANT = "applicant", _("The applicant")
        SPONSOR = "sponsor", _("Sponsor or relative")
        OFFICE = "office", _("Government office")
        INTERNATIONAL_ORG = "international_org", _("International organisation")
        OTHER = "other", _("Other")

    kind = models.CharField(max_length=32, choices=Kind.choices)
    # Encrypted at rest: a sender's name and address (a phone, an e-mail) say who is asking.
    name = EncryptedTextField(blank=True)
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="requesters"
    )
    contact = EncryptedTextField(blank=True)
    # The contact's keyed hash as an e-mail address or a phone number (as Identifier's
    # value_hash), so the case search finds a request by who sent it, never in clear.
    contact_hash = models.CharField(max_length=64, blank=True, db_index=True)
    # The partner system behind an API token: every request sent with the token names this
    # one requester, so accepting a request needs no requester row of its own.
    api_token = models.OneToOneField(
        "accounts.ApiToken",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requester",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name or self.get_kind_display()


class Request(models.Model):
    class Status(models.TextChoices):
        # The only statuses a requester is ever shown.
        RECEIVED = "received", _("Received")
        UNDER_REVIEW = "under_review", _("Under review")
        REFERRED = "referred", _("Referred to a partner")
        CLOSED = "closed", _("Closed")

    class Outcome(models.TextChoices):
        # Why a closed request was closed, in neutral words a requester may read. A
        # caseworker picks one when closing the case (cases.Case.closure_outcome).
        ASSISTED = "assisted", _("Assisted")
        REFERRED_ELSEWHERE = "referred_elsewhere", _("Referred to another organisation")
        NOT_ELIGIBLE = "not_eligible", _("Not eligible under current guidance")
        DUPLICATE = "duplicate", _("Duplicate: merged with another request")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        UNREACHABLE = "unreachable", _("Could not be reached")

    # Unique by a constraint below (not unique=True, whose extra LIKE index no query uses).
    receipt_number = models.CharField(max_length=20)
    channel = models.CharField(max_length=20, choices=Channel.choices)
    received_at = models.DateTimeField(db_index=True)
    requester = models.ForeignKey(
        Requester, null=True, blank=True, on_delete=models.PROTECT, related_name="requests"
    )
    # The input exactly as received. A database trigger refuses any change to it.
    # Encrypted at rest: it holds the same passport, Tazkira, SIV and phone numbers that
    # Identifier keeps encrypted, so a leaked dump must not give them away here either.
    # Code still reads and writes plaintext; the database cannot filter on it.
    raw_input = EncryptedTextField()
    # Set when retention erased this request's personal data (haven/retention): raw_input is
    # then the empty string, the one change its write-once trigger allows (migration 0008).
    erased_at = models.DateTimeField(null=True, blank=True)
    raw_content_type = models.CharField(max_length=100, default="application/json")
    status_secret_hash = models.CharField(max_length=64)
    # Derived from the request's case by cases.public_status (never set by hand).
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RECEIVED)
    # With status closed: the case's closure outcome; blank otherwise.
    outcome = models.CharField(max_length=32, choices=Outcome.choices, blank=True)
    needs_data_entry = models.BooleanField(default=False)
    # Stored and receipted, but resolution, cases and triage have not run on it yet: a
    # background task does (channels that must answer fast store it this way).
    pipeline_pending = models.BooleanField(default=False)
    # Its people are still to be read from the raw input and stored, by the background
    # worker (the API answers after one write); every other channel stores them at once.
    people_pending = models.BooleanField(default=False)
    # Free text in the requester's words (an e-mail's whole body, a list's note columns):
    # it holds passport and phone numbers as often as not, so it is encrypted like them.
    help_requested = EncryptedTextField(blank=True)
    current_country = models.CharField(max_length=2, blank=True)
    # Where a family is hiding is as dangerous in a leak as who they are.
    current_location = EncryptedTextField(blank=True)
    language = models.CharField(max_length=10, blank=True)
    consent_version = models.CharField(max_length=20, blank=True)
    # Answers about eligibility as a form or a spreadsheet's columns gave them (fact name ->
    # value), before triage checks them against its schema: a request is never refused for a
    # wrong answer. The API's `facts` stay in its raw body. Encrypted: "worked for the US
    # government" next to a name is what a leak must not reveal. Nullable without a default so
    # that SQLite adds the column in place: rebuilding the table would drop the raw input's
    # write-once trigger. None (older requests) means no answers.
    stated_facts = EncryptedJSONField(null=True, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="entered_requests",
    )
    # The request this one answers (an e-mail reply, by its In-Reply-To or References): it
    # joins that request's case whatever its people match.
    in_reply_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="answered_by"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        # Every index is written on every request stored (a surge writes thousands a
        # minute): only those that a query uses, partial where only a few rows matter.
        constraints = [
            models.UniqueConstraint(fields=["receipt_number"], name="intake_request_receipt_unique")
        ]
        indexes = [
            # Only the few pending rows are indexed: the worker finds them without a scan.
            models.Index(
                fields=["id"],
                condition=models.Q(pipeline_pending=True),
                name="intake_request_pending",
            ),
            models.Index(fields=["channel"], name="intake_request_channel"),
            models.Index(
                fields=["id"],
                condition=models.Q(needs_data_entry=True),
                name="intake_request_data_entry",
            ),
        ]

    def __str__(self) -> str:
        return self.receipt_number


class Sex(models.TextChoices):
    MALE = "m", _("Male")
    FEMALE = "f", _("Female")
    OTHER = "x", _("Other")
    UNKNOWN = "", _("Unknown")


class DatePrecision(models.TextChoices):
    EXACT = "exact", _("Exact")
    YEAR = "year", _("Year only")
    APPROXIMATE = "approximate", _("Approximate")
    UNKNOWN = "unknown", _("Unknown")


class Relationship(models.TextChoices):
    PRINCIPAL = "principal", _("Principal applicant")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    PARENT = "parent", _("Parent")
    SIBLING = "sibling", _("Sibling")
    OTHER = "other", _("Other relative")


class PersonRecord(models.Model):
    """One person as one request describes them: as written, and as parsed."""

    request = models.ForeignKey(Request, on_delete=models.PROTECT, related_name="person_records")
    position = models.PositiveSmallIntegerField(default=0)
    relationship = models.CharField(
        max_length=20, choices=Relationship.choices, default=Relationship.PRINCIPAL
    )
    full_name = models.CharField(max_length=300, blank=True)
    given_name = models.CharField(max_length=150, blank=True)
    family_name = models.CharField(max_length=150, blank=True)
    father_name = models.CharField(max_length=150, blank=True)
    # Lower-case Latin form of every name written, so a search in either script finds it.
    search_text = models.CharField(max_length=700, blank=True, db_index=True)
    sex = models.CharField(max_length=1, choices=Sex.choices, blank=True)
    dob_as_written = models.CharField(max_length=50, blank=True)
    dob = models.DateField(null=True, blank=True)
    dob_precision = models.CharField(
        max_length=20, choices=DatePrecision.choices, default=DatePrecision.UNKNOWN
    )
    province = models.CharField(max_length=100, blank=True)
    # Problems found while parsing, e.g. ["dob_unparsed"]: shown to staff, never hidden.
    flags = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["request_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["request", "position"], name="person_record_position")
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.full_name or " ".join(p for p in (self.given_name, self.family_name) if p)


class IdentifierKind(models.TextChoices):
    PASSPORT = "passport", _("Passport")
    E_TAZKIRA = "e_tazkira", _("e-Tazkira")
    PAPER_TAZKIRA = "paper_tazkira", _("Paper Tazkira")
    SIV_CASE = "siv_case", _("SIV case number")
    UNHCR = "unhcr", _("UNHCR number")
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")


class Identifier(models.Model):
    """An identifier as written on one record, encrypted at rest, with a keyed hash for look-up."""

    person_record = models.ForeignKey(
        PersonRecord, on_delete=models.PROTECT, related_name="identifiers"
    )
    kind = models.CharField(max_length=20, choices=IdentifierKind.choices)
    value_as_written_encrypted = models.TextField()
    normalized_encrypted = models.TextField(blank=True)
    value_hash = models.CharField(max_length=64, db_index=True, blank=True)
    is_valid = models.BooleanField(default=True)

    class Meta:
        indexes = [models.Index(fields=["kind", "value_hash"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.masked}"

    @property
    def value_as_written(self) -> str:
        return crypto.decrypt(self.value_as_written_encrypted)

    @property
    def normalized(self) -> str:
        return crypto.decrypt(self.normalized_encrypted) if self.normalized_encrypted else ""

    @property
    def masked(self) -> str:
        value = self.normalized or self.value_as_written
        return ("•" * max(len(value) - 4, 0)) + value[-4:]
