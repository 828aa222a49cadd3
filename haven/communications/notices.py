"""Bulk notices: choose recipients, preview, approve when large, queue once.

A notice's messages carry a dedupe key made of the template texts' digest and the address's
keyed hash, unique in the outbox: the same notice sent twice (the web page or `haven notify`
run again, a double click, two supervisors at once) queues nothing new.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from haven.accounts import permissions
from haven.audit.models import AuditAction
from haven.audit.services import audit_record
from haven.cases.saved_searches import saved_search_cases
from haven.intake.models import Request

from . import rendering
from .contacts import Contact, request_contacts
from .models import ChannelKind, Message, Notice
from .services import QueueResult, messages_queue, notice_key, plan, templates_for, texts_for
from .texts import LANGUAGES, PURPOSES, RTL_LANGUAGES

if TYPE_CHECKING:
    from haven.accounts.models import User


@dataclass(frozen=True)
class NoticeFilters:
    pathway: str = ""  # a triage queue: the case's pathway
    status: str = ""  # the request's public status
    case_status: str = ""
    channel: str = ""  # only requesters reachable on this channel
    # A saved case search of the supervisor who sends (its id): the requesters of its cases.
    saved_search: int = 0

    def as_dict(self) -> dict[str, str]:
        return {k: v for k, v in asdict(self).items() if v}


def can_send_notices(user: User) -> bool:
    return permissions.can_merge_cases(user)  # supervisors and admins


def _check(user: User) -> None:
    if not can_send_notices(user):
        raise PermissionDenied


def notice_recipients(filters: NoticeFilters, sender: User | None = None) -> QuerySet[Request]:
    requests = Request.objects.all()
    if filters.saved_search:
        # The sender's own saved search, read as it selects today (the list's filters).
        if sender is None:
            raise ValidationError("A saved search needs the supervisor who sends.")
        cases = saved_search_cases(owner=sender, pk=filters.saved_search)
        requests = requests.filter(case_links__case__in=cases.values("pk")).distinct()
    if filters.pathway:
        requests = requests.filter(case_links__case__pathway=filters.pathway)
    if filters.case_status:
        requests = requests.filter(case_links__case__status=filters.case_status)
    if filters.status:
        requests = requests.filter(status=filters.status)
    return requests


def _contacts(filters: NoticeFilters, sender: User) -> list[Contact]:
    return request_contacts(notice_recipients(filters, sender), channel=filters.channel or None)


def _dedupe(key: str) -> Callable[[Contact], str]:
    return lambda contact: f"n:{key[:32]}:{contact.channel}:{contact.address_hash}"


@dataclass(frozen=True)
class Sample:
    language: str
    rtl: bool
    fell_back: bool
    subject: str
    body: str
    sms: str
    sms_length: rendering.SmsLength


@dataclass
class NoticePreview:
    purpose: str
    filters: NoticeFilters
    requests: int
    result: QueueResult
    samples: list[Sample] = field(default_factory=list)
    needs_approval: bool = False


def samples(purpose: str) -> list[Sample]:
    templates = templates_for(purpose)
    found = []
    for language in LANGUAGES:
        texts = texts_for(purpose, language, templates)
        values = rendering.sample_values(purpose, language=texts.language)
        sms = rendering.render(
            texts.sms_body, values, purpose=purpose, sms=True, language=texts.language
        )
        found.append(
            Sample(
                language=language,
                rtl=texts.language in RTL_LANGUAGES,
                fell_back=texts.fell_back,
                subject=rendering.render(
                    texts.subject, values, purpose=purpose, language=texts.language
                ),
                body=rendering.render(texts.body, values, purpose=purpose, language=language),
                sms=sms,
                sms_length=rendering.sms_length(sms),
            )
        )
    return found


def _sent_keys(key: str) -> set[str]:
    """Every dedupe key already written for notices of these texts, in one query."""
    return {
        k
        for k in Message.objects.filter(notice__notice_key=key).values_list("dedupe_key", flat=True)
        if k
    }


def _validated(purpose: str, filters: NoticeFilters) -> None:
    if purpose not in PURPOSES:
        raise ValidationError(f"Unknown template: {purpose}.")
    if filters.channel and filters.channel not in ChannelKind.values:
        raise ValidationError(f"Unknown channel: {filters.channel}.")


def notice_preview(
    *, user: User, purpose: str, filters: NoticeFilters, with_samples: bool = True
) -> NoticePreview:
    _check(user)
    _validated(purpose, filters)
    contacts = _contacts(filters, user)
    key = notice_key(purpose)
    _chosen, result = plan(contacts, dedupe=_dedupe(key), sent_keys=_sent_keys(key))
    return NoticePreview(
        purpose=purpose,
        filters=filters,
        requests=len(contacts),
        result=result,
        samples=samples(purpose) if with_samples else [],
        needs_approval=result.queued > settings.HAVEN_NOTICE_APPROVAL_ABOVE,
    )


def _queue(
    notice: Notice,
    actor: User,
    planned: tuple[list[tuple[Contact, str | None]], QueueResult] | None = None,
) -> QueueResult:
    if planned is None:
        # A saved search is the creator's, whoever approves.
        filters = NoticeFilters(**notice.filters)
        planned = plan(
            _contacts(filters, notice.created_by),
            dedupe=_dedupe(notice.notice_key),
            sent_keys=_sent_keys(notice.notice_key),
        )
    result = messages_queue(
        purpose=notice.purpose, contacts=(), actor=actor, notice=notice, planned=planned
    )
    notice.status = Notice.Status.QUEUED
    notice.queued_at = timezone.now()
    notice.counts = {**result.summary(), "by_channel": result.by_channel}
    notice.save(update_fields=["status", "queued_at", "counts"])
    # One event for the whole notice, not one per message: its manifest commits the audit
    # chain to exactly who was written to (see manifest_digest), and the rows themselves are
    # the outbox's, each carrying the notice's id.
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=notice,
        summary=f"Notice {notice.pk} ({notice.purpose}) queued",
        details={**notice.counts, "manifest": manifest_digest(result.written)},
    )
    return result


def manifest_digest(written: list[tuple[int, str, str]]) -> dict[str, object]:
    """What the audit event keeps of a notice's recipients: how many, and a SHA-256 over
    their sorted (request id, channel, address hash) lines. Recomputed from the notice's
    outbox rows, it shows that none was added or removed after the event was written; it
    holds no address (the hashes are keyed)."""
    digest = hashlib.sha256()
    for request_id, channel, hashed in sorted(written):
        digest.update(f"{request_id}:{channel}:{hashed}\n".encode())
    return {"messages": len(written), "sha256": digest.hexdigest()}


def notice_manifest(notice: Notice) -> dict[str, object]:
    """The manifest of a notice's outbox rows as they are now (to compare with its audit)."""
    rows = notice.messages.values_list("request_id", "channel", "recipient_hash")
    return manifest_digest([(int(r or 0), str(c), str(h)) for r, c, h in rows])


@transaction.atomic
def notice_create(
    *, user: User, purpose: str, filters: NoticeFilters
) -> tuple[Notice, QueueResult | None]:
    """Queue the notice now, or (above HAVEN_NOTICE_APPROVAL_ABOVE recipients) hold it for a
    second supervisor; returns the notice and, when queued, what was queued."""
    _check(user)
    _validated(purpose, filters)
    # Read once: the same contacts decide whether approval is needed and are queued.
    contacts = _contacts(filters, user)
    key = notice_key(purpose)
    chosen, planned = plan(contacts, dedupe=_dedupe(key), sent_keys=_sent_keys(key))
    notice = Notice.objects.create(
        purpose=purpose,
        filters=filters.as_dict(),
        notice_key=key,
        status=Notice.Status.AWAITING_APPROVAL,
        recipients_expected=planned.queued,
        counts=planned.summary(),
        created_by=user,
    )
    audit_record(
        actor=user,
        action=AuditAction.CREATE,
        obj=notice,
        summary=f"Notice {notice.pk} ({purpose}) created",
        details={"filters": notice.filters, "expected": planned.queued},
    )
    if planned.queued > settings.HAVEN_NOTICE_APPROVAL_ABOVE:
        return notice, None
    return notice, _queue(notice, user, (chosen, planned))


class NoticeRefused(ValidationError):
    """The notice cannot be approved: the message says why."""


@transaction.atomic
def notice_approve(*, notice_id: int, user: User) -> tuple[Notice, QueueResult]:
    _check(user)
    # Lock: two supervisors approving at once must queue it once.
    # No key of the locked rows changes (no delete, no unique column): FOR NO KEY UPDATE
    # on PostgreSQL, which does not hold up inserts of rows referencing them.
    notice = Notice.objects.select_for_update(no_key=True).filter(pk=notice_id).first()
    if notice is None:
        raise NoticeRefused("No such notice.")
    if notice.status != Notice.Status.AWAITING_APPROVAL:
        raise NoticeRefused("This notice is not waiting for approval.")
    if notice.created_by_id == user.pk:
        raise NoticeRefused("A second supervisor must approve: not the one who created it.")
    if notice.notice_key != notice_key(notice.purpose):
        raise NoticeRefused(
            "The template was edited after this notice was prepared: prepare it again."
        )
    notice.approved_by = user
    notice.save(update_fields=["approved_by"])
    return notice, _queue(notice, user)


def notices_list(*, user: User) -> QuerySet[Notice]:
    _check(user)
    return Notice.objects.select_related("created_by", "approved_by")


def notice_get(*, user: User, notice_id: int) -> Notice:
    from django.http import Http404

    notice = notices_list(user=user).filter(pk=notice_id).first()
    if notice is None:
        raise Http404
    return notice
