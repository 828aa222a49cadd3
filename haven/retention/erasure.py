"""Erasing a case's personal data from every table that holds it.

A case's personal data is spread over the apps: the requests that concern it (raw input,
help asked, where they are), the person records and identifiers those requests describe, the
people resolution made of them, the case's notes, documents and history, triage's facts.
`scope_of` works out which rows belong to the cases being erased and to nothing else (a
request or person also part of a case that stays is left alone); each app's eraser then blanks
its values. Rows stay, so counts, references and the audit trail still hold; values go.

Apps after these (referrals, communications) add their own eraser in
`more_erasers`: `eraser(scope: ErasureScope) -> dict[str, int]`, counts by kind.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import Q, Value
from django.utils import timezone

from haven.cases.models import (
    Case,
    CaseEvent,
    CaseMember,
    CaseMemberChange,
    CaseMerge,
    CaseRequest,
    Document,
    Note,
    Task,
)
from haven.common.registry import Registry
from haven.intake.models import Identifier, PersonRecord, Request, Requester
from haven.intake.models.imports import ImportedRow, MailAttachment, MailMessage, MailMessagePart
from haven.resolution import search_keys
from haven.resolution.models import (
    BlockingKey,
    MatchProfile,
    Person,
    PersonLink,
    PersonMerge,
    ReviewDecision,
    ReviewItem,
)
from haven.triage.models import CaseFacts, FactReview, TriageDecision

from .models import ErasedCase


@dataclass(frozen=True)
class ErasureScope:
    case_ids: frozenset[int]
    request_ids: frozenset[int]
    record_ids: frozenset[int]
    person_ids: frozenset[int]


Eraser = Callable[[ErasureScope], dict[str, int]]


def scope_of(case_ids: set[int]) -> ErasureScope:
    """The rows that belong only to these cases (and to cases already erased)."""
    gone = set(case_ids) | set(ErasedCase.objects.values_list("case_id", flat=True))
    linked = CaseRequest.objects.filter(case_id__in=case_ids).values_list("request_id", flat=True)
    shared = set(
        CaseRequest.objects.filter(request_id__in=linked)
        .exclude(case_id__in=gone)
        .values_list("request_id", flat=True)
    )
    request_ids = set(linked) - shared
    record_ids = set(
        PersonRecord.objects.filter(request_id__in=request_ids).values_list("pk", flat=True)
    )
    candidates = set(
        PersonLink.objects.filter(person_record_id__in=record_ids).values_list(
            "person_id", flat=True
        )
    ) | set(CaseMember.objects.filter(case_id__in=case_ids).values_list("person_id", flat=True))
    # A person who is also someone in a case that stays, or whose other records stay, stays.
    kept = set(
        CaseMember.objects.filter(person_id__in=candidates)
        .exclude(case_id__in=gone)
        .values_list("person_id", flat=True)
    ) | set(
        PersonLink.objects.filter(person_id__in=candidates, ended_at__isnull=True)
        .exclude(person_record_id__in=record_ids)
        .exclude(person_record__request__erased_at__isnull=False)
        .values_list("person_id", flat=True)
    )
    return ErasureScope(
        case_ids=frozenset(case_ids),
        request_ids=frozenset(request_ids),
        record_ids=frozenset(record_ids),
        person_ids=frozenset(candidates - kept),
    )


def erase_intake(scope: ErasureScope) -> dict[str, int]:
    requests = Request.objects.filter(pk__in=scope.request_ids, erased_at__isnull=True)
    # The one change the raw input's write-once trigger allows: to '' with erased_at set, in
    # one statement (intake migration 0008). Value(""), not "": the field would encrypt "".
    erased = requests.update(
        raw_input=Value(""),
        erased_at=timezone.now(),
        help_requested="",
        current_location="",
        stated_facts=None,
    )
    records = PersonRecord.objects.filter(pk__in=scope.record_ids).update(
        full_name="",
        given_name="",
        family_name="",
        father_name="",
        search_text="",
        sex="",
        dob_as_written="",
        dob=None,
        province="",
        flags=[],
    )
    identifiers = Identifier.objects.filter(person_record_id__in=scope.record_ids).update(
        value_as_written_encrypted="", normalized_encrypted="", value_hash=""
    )
    # A requester who asked only in these requests (an applicant, not an organisation's system).
    others = Request.objects.exclude(pk__in=scope.request_ids).values("requester_id")
    requesters = (
        Requester.objects.filter(requests__pk__in=scope.request_ids, api_token__isnull=True)
        .exclude(pk__in=others)
        .distinct()
    )
    requester_count = Requester.objects.filter(pk__in=requesters.values("pk")).update(
        name="", contact="", contact_hash=""
    )
    messages = MailMessage.objects.filter(request_id__in=scope.request_ids)
    MailAttachment.objects.filter(message__in=messages).update(filename="")
    # A family of an office's list: its lines as written.
    MailMessagePart.objects.filter(request_id__in=scope.request_ids).update(excerpt="", flags=[])
    mails = messages.update(sender="", subject="", message_id="")
    for row in ImportedRow.objects.filter(request_id__in=scope.request_ids).only("pk"):
        # The fingerprint is a hash of the row's content: it would confirm a guess of it.
        ImportedRow.objects.filter(pk=row.pk).update(fingerprint=f"erased:{row.pk}")
    return {
        "requests": erased,
        "person_records": records,
        "identifiers": identifiers,
        "requesters": requester_count,
        "mail_messages": mails,
    }


def erase_resolution(scope: ErasureScope) -> dict[str, int]:
    people = Person.objects.filter(pk__in=scope.person_ids).update(display_name="")
    MatchProfile.objects.filter(person_record_id__in=scope.record_ids).update(data={})
    BlockingKey.objects.filter(person_record_id__in=scope.record_ids).delete()
    search_keys.search_keys_delete(scope.record_ids)
    pairs = Q(record_a_id__in=scope.record_ids) | Q(record_b_id__in=scope.record_ids)
    ReviewItem.objects.filter(pairs).update(details={})
    ReviewDecision.objects.filter(pairs).update(note="")
    PersonMerge.objects.filter(
        Q(source_id__in=scope.person_ids) | Q(target_id__in=scope.person_ids)
    ).update(reason="", undo_reason="")
    return {"people": people}


def erase_cases(scope: ErasureScope) -> dict[str, int]:
    ids = scope.case_ids
    Case.objects.filter(pk__in=ids).update(display_name="")
    notes = Note.objects.filter(case_id__in=ids).update(body="")
    # A task's title is typed by staff and may name someone.
    Task.objects.filter(case_id__in=ids).update(title="")
    documents = list(Document.objects.filter(case_id__in=ids).exclude(file=""))
    for document in documents:
        # The file itself after commit: a rolled-back erasure must not have lost it.
        transaction.on_commit(partial(document.file.storage.delete, document.file.name))
    Document.objects.filter(case_id__in=ids).update(
        file="", original_name="", description="", sha256=""
    )
    CaseEvent.objects.filter(case_id__in=ids).update(description="")
    CaseMemberChange.objects.filter(member__case_id__in=ids).update(reason="")
    CaseMerge.objects.filter(Q(source_id__in=ids) | Q(target_id__in=ids)).update(reason="")
    return {"notes": notes, "documents": len(documents)}


def erase_triage(scope: ErasureScope) -> dict[str, int]:
    facts = CaseFacts.objects.filter(case_id__in=scope.case_ids).update(facts={}, sources={})
    # New information waiting for review holds the values a request gave.
    FactReview.objects.filter(case_id__in=scope.case_ids).update(old_value=None, new_value={})
    TriageDecision.objects.filter(case_id__in=scope.case_ids).update(
        facts_used={}, priority_breakdown={}
    )
    return {"facts": facts}


CORE_ERASERS: list[Eraser] = [erase_intake, erase_resolution, erase_cases, erase_triage]


# Later apps that hold more of a case's personal data (referrals, communications) register an
# eraser here in their AppConfig.ready(): retention may not import them.
more_erasers: Registry[Eraser] = Registry("erasers of the personal data later apps hold")


def erasers() -> list[Eraser]:
    return [*CORE_ERASERS, *more_erasers.values()]


def erase(scope: ErasureScope) -> dict[str, int]:
    counts: dict[str, Any] = {}
    for eraser in erasers():
        counts.update(eraser(scope))
    return counts


def what_would_go(case_id: int) -> dict[str, int]:
    """Counts for the dry run, without changing anything."""
    scope = scope_of({case_id})
    return {
        "requests": len(scope.request_ids),
        "person_records": len(scope.record_ids),
        "identifiers": Identifier.objects.filter(person_record_id__in=scope.record_ids).count(),
        "people": len(scope.person_ids),
        "notes": Note.objects.filter(case_id=case_id).count(),
        "documents": Document.objects.filter(case_id=case_id).count(),
    }
