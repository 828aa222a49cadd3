"""Cases: the unit of work, one household, and what staff do with it."""

from __future__ import annotations

from collections.abc import Mapping

from django.conf import settings
from django.core.files.storage import Storage
from django.db import models
from django.utils.translation import gettext_lazy as _

from haven.common.fields import EncryptedTextField
from haven.intake.models import Relationship, Request
from haven.resolution.models import Person, PersonMerge


class Case(models.Model):
    class Status(models.TextChoices):
        NEW = "new", _("New")
        IN_REVIEW = "in_review", _("In review")
        AWAITING_INFORMATION = "awaiting_information", _("Awaiting information")
        REFERRED = "referred", _("Referred")
        CLOSED = "closed", _("Closed")

    status = models.CharField(
        max_length=32, choices=Status.choices, default=Status.NEW, db_index=True
    )
    # Chosen by the caseworker who closes the case (duplicate when merged into another);
    # requesters see it, in neutral words, on /status/. Blank unless closed.
    closure_outcome = models.CharField(max_length=32, choices=Request.Outcome.choices, blank=True)
    # Filled by triage; blank means "not yet triaged".
    pathway = models.CharField(max_length=64, blank=True, db_index=True)
    priority = models.IntegerField(default=0, db_index=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_cases",
    )
    # The team the case is queued for (with or without an assignee): see cases.assignment.
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    principal = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="principal_of"
    )
    # Denormalised from the principal, for listing without joins.
    display_name = models.CharField(max_length=300, blank=True)
    # Set (with status closed) when a supervisor merged this case into another; see CaseMerge.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_cases"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.reference} {self.display_name}"

    @property
    def reference(self) -> str:
        return f"C-{self.pk:07d}" if self.pk else "C-new"


class HouseholdMembers(models.Manager["CaseMember"]):
    """`CaseMember.objects`: the rows of people in the household now (not removed by staff).

    A member staff removed or moved to another case keeps their row (`removed_at` set): the
    history of who was in the household refers to it, and adding them back reuses it (a person
    is a member of a case once). `CaseMember.all_rows` reads every row."""

    def get_queryset(self) -> models.QuerySet[CaseMember]:
        return super().get_queryset().filter(removed_at__isnull=True)


class CaseMember(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="members")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="case_memberships")
    relationship = models.CharField(max_length=20, choices=Relationship.choices)
    added_at = models.DateTimeField(auto_now_add=True)
    # Set when this member's person was merged into a person already a member of the case:
    # the row is kept (pointing at the absorbed person) so undoing the merge brings it back.
    # Members with it set are history, not part of the household.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Set when staff removed the person from the household or moved them to another case
    # (cases.services_members); cleared when they are added back. See HouseholdMembers.
    removed_at = models.DateTimeField(null=True, blank=True)

    # Every row (removed members too); `objects`, the default, is the household now.
    all_rows = models.Manager()
    objects = HouseholdMembers()

    class Meta:
        default_manager_name = "objects"
        ordering = ["case_id", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "person"], name="case_member_once")]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.person_id} ({self.relationship})"


class CaseRequest(models.Model):
    """A request that concerns a case: its provenance."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="case_requests")
    request = models.ForeignKey(Request, on_delete=models.PROTECT, related_name="case_links")
    linked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "request"], name="case_request_once")
        ]

    def __str__(self) -> str:
        return f"{self.case_id} ← {self.request_id}"


class Note(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Encrypted at rest: caseworkers' notes carry what families told them.
    body = EncryptedTextField()
    # Restricted: caseworkers and supervisors read it, intake officers do not
    # (permissions.can_read_restricted_notes); partners never see any note.
    restricted = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Note {self.pk} on case {self.case_id}"


def document_storage() -> Storage:
    """Where document files live (settings.HAVEN_DOCUMENT_ROOT): a callable, so migrations
    name it instead of freezing a folder; cases.document_store writes and reads through it."""
    from .document_store import storage

    return storage()


class Document(models.Model):
    """A file kept on a case: typed by its content, images re-encoded without their metadata,
    the bytes encrypted at rest under a random name, and scanned for malware (see
    cases.document_files, cases.document_store, common.clamd and docs/cases.md)."""

    class Kind(models.TextChoices):
        # Codes of triage's evidence where a document is that evidence (guidance packs'
        # `evidence:`); passport and tazkira are both the pack's identity_document.
        PASSPORT = "passport", _("Passport")
        TAZKIRA = "tazkira", _("Tazkira")
        RECOMMENDATION_LETTER = "recommendation_letter", _("Recommendation letter")
        COM_APPROVAL_LETTER = "com_approval_letter", _("Chief of Mission (COM) approval")
        I360_APPROVAL_NOTICE = "i360_approval_notice", _("I-360 approval notice")
        PROOF_OF_EMPLOYMENT = "proof_of_employment", _("Proof of employment")
        US_PASSPORT_OR_GREEN_CARD = (
            "us_passport_or_green_card",
            _("US passport, naturalisation certificate or green card"),
        )
        RELATIVE_STATUS_PROOF = "relative_status_proof", _("Proof of a relative's US status")
        P1_REFERRAL = "p1_referral", _("P-1 referral (UNHCR, embassy or NGO)")
        P2_REFERRAL = "p2_referral", _("P-2 referral (US agency or employer)")
        MEDICAL_OR_THREAT_EVIDENCE = "medical_or_threat_evidence", _("Medical report or threat")
        OTHER = "other", _("Other document")

    class Scan(models.TextChoices):
        # Quarantined (never downloadable): waiting for the scanner, which was down or
        # answered badly; the `haven tick` job tries again.
        PENDING = "pending", _("Waiting for the malware scan")
        CLEAN = "clean", _("Scanned: clean")
        # Quarantined for good, and shown to supervisors (cases.views_documents.quarantine).
        INFECTED = "infected", _("Malware found: quarantined")
        # No scanner configured (the demo): downloadable only with
        # HAVEN_DOCUMENTS_ALLOW_UNSCANNED; scanned once a scanner is configured.
        NOT_SCANNED = "not_scanned", _("Not scanned (no scanner configured)")

    class Source(models.TextChoices):
        CASE_PAGE = "case_page", _("Case page")
        WALK_IN = "walk_in", _("Walk-in")
        EMAIL = "email", _("E-mail attachment")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="documents")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The storage key: a random name, the encrypted bytes (cases.document_store).
    file = models.FileField(storage=document_storage, max_length=200)
    original_name = EncryptedTextField()
    kind = models.CharField(max_length=40, choices=Kind.choices, default=Kind.OTHER)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.CASE_PAGE)
    # The request it came with (an e-mail's, a walk-in's), when it did.
    request = models.ForeignKey(
        Request, null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    # What the content is (cases.document_files), never what the browser or the name said.
    content_type = models.CharField(max_length=100)
    # Of the bytes kept (after an image is re-encoded), before encryption.
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    description = EncryptedTextField(blank=True)
    scan_status = models.CharField(
        max_length=16, choices=Scan.choices, default=Scan.PENDING, db_index=True
    )
    # The scanner's name for what it found ("Eicar-Test-Signature"): a code, not personal.
    scan_signature = models.CharField(max_length=200, blank=True)
    scanned_at = models.DateTimeField(null=True, blank=True)
    scan_attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Document {self.pk} on case {self.case_id}"

    @property
    def quarantined(self) -> bool:
        if self.scan_status == self.Scan.NOT_SCANNED:
            return not settings.HAVEN_DOCUMENTS_ALLOW_UNSCANNED
        return self.scan_status != self.Scan.CLEAN


# The evidence code (guidance packs' `evidence:`) each kind of document is: what triage's
# "still needed" list and the tasks it becomes are ticked off by (cases.signals.documents_added).
EVIDENCE_OF_KIND: dict[str, str] = {
    Document.Kind.PASSPORT: "identity_document",
    Document.Kind.TAZKIRA: "identity_document",
    Document.Kind.RECOMMENDATION_LETTER: "recommendation_letter",
    Document.Kind.COM_APPROVAL_LETTER: "com_approval_letter",
    Document.Kind.I360_APPROVAL_NOTICE: "i360_approval_notice",
    Document.Kind.PROOF_OF_EMPLOYMENT: "proof_of_employment",
    Document.Kind.US_PASSPORT_OR_GREEN_CARD: "us_passport_or_green_card",
    Document.Kind.RELATIVE_STATUS_PROOF: "relative_status_proof",
    Document.Kind.MEDICAL_OR_THREAT_EVIDENCE: "medical_or_threat_evidence",
    Document.Kind.P1_REFERRAL: "p1_referral",
    Document.Kind.P2_REFERRAL: "p2_referral",
}


class CaseEvent(models.Model):
    """The case's history as caseworkers read it (the audit trail is the security record)."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Case opened")
        REQUEST_LINKED = "request_linked", _("Request linked")
        NOTE_ADDED = "note_added", _("Note added")
        DOCUMENT_ADDED = "document_added", _("Document added")
        STATUS_CHANGED = "status_changed", _("Status changed")
        ASSIGNED = "assigned", _("Assigned")
        TRIAGED = "triaged", _("Triaged")
        PEOPLE_MERGED = "people_merged", _("People merged")
        PEOPLE_UNMERGED = "people_unmerged", _("Merge of people undone")
        PEOPLE_RELINKED = "people_relinked", _("Records re-linked")
        POSSIBLE_DUPLICATE = "possible_duplicate", _("Possible duplicate case")
        MERGED_INTO = "merged_into", _("Merged into another case")
        MERGED_FROM = "merged_from", _("Another case merged into this one")
        NEW_INFORMATION = "new_information", _("New information to review")
        FACTS_CHANGED = "facts_changed", _("Facts changed")
        MERGE_UNDONE = "merge_undone", _("Merge of cases undone")
        MEMBERS_CHANGED = "members_changed", _("Household changed")
        HOUSEHOLD_SPLIT = "household_split", _("Household split")
        PERSON_EDITED = "person_edited", _("Person record corrected")
        DATA_ENTERED = "data_entered", _("Data entered")
        TASK_ADDED = "task_added", _("Task added")
        TASK_DONE = "task_done", _("Task done")
        TASK_CANCELLED = "task_cancelled", _("Task cancelled")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Quotes notes and reasons (the start of a note, why cases were merged): encrypted. The
    # English line as written when it happened: what events without `data` show.
    description = EncryptedTextField(blank=True)
    # What happened as a message key and its values (codes, references, counts), rendered
    # in the reader's language when read (cases.event_text); null for older events.
    data = models.JSONField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"

    @property
    def text(self) -> str:
        """The line in the reader's language, people it mentions unnamed (case_history names
        them, through text_naming)."""
        return self.text_naming(None)

    def text_naming(self, names: Mapping[int, str] | None) -> str:
        """The line in the reader's language; people named by `names` (person id → name,
        as cases.selectors.case_history looks them up)."""
        from .event_text import render

        return render(self.data, self.description, names)


class CaseMemberChange(models.Model):
    """A member's person changed because resolution changed people (a merge, its undoing, a
    batch run): the provenance caseworkers read, and exactly what undoing a merge restores.

    Also what staff did to the household (cases.services_members): a person added, removed,
    moved to or from another case (`other_case`), marked the principal; then from_person and
    to_person are both the member's person."""

    class Kind(models.TextChoices):
        REPOINTED = "repointed", _("Now the surviving person")
        FOLDED = "folded", _("Folded into a member already in the case")
        ADDED = "added", _("Added: a record of this case now belongs to this person")
        STAFF_ADDED = "staff_added", _("Added by staff")
        REMOVED = "removed", _("Removed by staff")
        MOVED_OUT = "moved_out", _("Moved to another case")
        MOVED_IN = "moved_in", _("Moved from another case")
        PRINCIPAL = "principal", _("Marked the principal")

    member = models.ForeignKey(CaseMember, on_delete=models.PROTECT, related_name="changes")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    from_person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    to_person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    # The merge of people that caused it, when one did: undoing that merge undoes this.
    merge = models.ForeignKey(
        PersonMerge, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The case's principal followed the member too (and goes back with it).
    principal_moved = models.BooleanField(default=False)
    # The case a member moved to (moved_out) or came from (moved_in), or was split into.
    other_case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = EncryptedTextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"Member {self.member_id}: {self.from_person_id} → {self.to_person_id} ({self.kind})"


class CaseMerge(models.Model):
    """A supervisor merged one case (source, now closed) into another (target).

    Nothing is deleted: the source keeps its members, requests and history; the target gets
    the members it lacked and links to every request; notes and documents move. The ids of
    everything made or moved are kept, so the merge can be read back exactly.
    """

    source = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="merges_out")
    target = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="merges_in")
    reason = EncryptedTextField(blank=True)
    source_status = models.CharField(max_length=32)
    # The source's closure outcome before the merge (set to "duplicate" by it): undo restores it.
    source_outcome = models.CharField(max_length=32, blank=True)
    members_added = models.JSONField(default=list)
    requests_linked = models.JSONField(default=list)
    notes_moved = models.JSONField(default=list)
    documents_moved = models.JSONField(default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when a supervisor undid the merge (cases.services.case_merge_undo).
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    undo_reason = EncryptedTextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Case merge {self.pk}: {self.source_id} → {self.target_id}"


class SavedSearch(models.Model):
    """A user's named set of case-list filters. Both encrypted: a filter set can hold a searched
    name or document number, and a name can say whose family it is."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches"
    )
    name = EncryptedTextField()
    # The case-list form's data, as a JSON object (what cases.forms.CaseFilterForm binds).
    filters = EncryptedTextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"Saved search {self.pk} of user {self.owner_id}"


# Re-exported: the task and alert models live in their own module; Django and callers find them here.
from .models_tasks import Alert as Alert  # noqa: E402
from .models_tasks import AlertBreach as AlertBreach  # noqa: E402
from .models_tasks import AlertPreference as AlertPreference  # noqa: E402
from .models_tasks import Task as Task  # noqa: E402
