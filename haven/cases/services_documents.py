"""Writes for case documents: adding them (case page, walk-in, e-mail) and scanning again.

A file is checked and typed (document_files.prepare) and scanned (clamd.scan) before the
transaction opens, as both can take a while; the bytes are written encrypted under a random
name (document_store) and the row, the history line, the audit event and `documents_added`
follow in one transaction. An e-mail's attachments are stored unscanned (pending) inside the
import's transaction and scanned after it commits (tasks.documents_scan).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from haven.accounts import permissions
from haven.audit.models import AuditAction
from haven.audit.services import audit_record, audit_record_many
from haven.common import clamd
from haven.common.clamd import ScanResult, Verdict

from . import document_store
from .document_files import PreparedFile
from .models import EVIDENCE_OF_KIND, Case, CaseEvent, Document
from .signals import document_infected, documents_added

if TYPE_CHECKING:
    from haven.accounts.models import User
    from haven.intake.models import Request

logger = logging.getLogger(__name__)
# Documents the tick job scans per run: a backlog after an outage drains over a few runs.
RESCAN_BATCH = 100


@dataclass(frozen=True)
class NewDocument:
    file: PreparedFile
    kind: str
    # The scan already done (uploads); None: scan after commit (e-mail attachments).
    scan: ScanResult | None = None
    description: str = ""


def _scan_fields(scan: ScanResult | None) -> dict[str, object]:
    if scan is None:
        status = Document.Scan.PENDING if clamd.configured() else Document.Scan.NOT_SCANNED
        return {"scan_status": status}
    status = {
        Verdict.CLEAN: Document.Scan.CLEAN,
        Verdict.INFECTED: Document.Scan.INFECTED,
        Verdict.UNAVAILABLE: Document.Scan.PENDING,
        Verdict.NOT_CONFIGURED: Document.Scan.NOT_SCANNED,
    }[scan.verdict]
    done = scan.verdict in {Verdict.CLEAN, Verdict.INFECTED}
    return {
        "scan_status": status,
        "scan_signature": scan.detail if scan.verdict is Verdict.INFECTED else "",
        "scanned_at": timezone.now() if done else None,
        "scan_attempts": 0 if scan.verdict is Verdict.NOT_CONFIGURED else 1,
    }


def _infected(document: Document, actor: User | None) -> None:
    """History line, security record and signal for malware found: supervisors see it on
    the quarantine list (views_documents.quarantine) and on the case."""
    CaseEvent.objects.create(
        case=document.case,
        kind=CaseEvent.Kind.DOCUMENT_ADDED,
        actor=actor,
        data={
            "message": "document_infected",
            "document_kind": document.kind,
            "signature": document.scan_signature,
        },
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=document,
        summary=f"Malware quarantined on {document.case.reference}",
        details={"signature": document.scan_signature, "case": document.case_id},
    )
    logger.warning("Malware found in document %s: quarantined", document.pk)
    document_infected.send(
        sender=Case, case=document.case, document=document, signature=document.scan_signature
    )


@transaction.atomic
def documents_add(
    *,
    case: Case,
    actor: User | None,
    documents: list[NewDocument],
    source: str,
    request: Request | None = None,
) -> list[Document]:
    """Keep the documents on the case. actor None is the e-mail import (no one to check)."""
    return documents_add_many(
        entries=[CaseDocuments(case=case, documents=documents, request=request)],
        actor=actor,
        source=source,
    )


@dataclass(frozen=True)
class CaseDocuments:
    case: Case
    documents: list[NewDocument]
    request: Request | None = None


@transaction.atomic
def documents_add_many(
    *, entries: list[CaseDocuments], actor: User | None, source: str
) -> list[Document]:
    """documents_add for the documents of many cases (an e-mail import chunk's attachments):
    a fixed number of statements however many cases."""
    if actor is not None and not permissions.can_upload_documents(actor):
        raise PermissionDenied
    written: list[str] = []
    rows: list[Document] = []
    try:
        for entry in entries:
            for new in entry.documents:
                key = document_store.file_write(new.file.data)
                written.append(key)
                rows.append(_document(entry, new, key, actor, source))
        created = Document.objects.bulk_create(rows)
    except Exception:
        # The rows roll back; the files written so far must not stay behind as orphans.
        for key in written:
            document_store.file_delete(key)
        raise
    _after_add(created, actor, source)
    if clamd.configured() and any(n.scan is None for e in entries for n in e.documents):
        from .tasks import documents_scan_soon

        transaction.on_commit(documents_scan_soon)
    return created


def _document(
    entry: CaseDocuments, new: NewDocument, key: str, actor: User | None, source: str
) -> Document:
    return Document(
        case=entry.case,
        uploaded_by=actor,
        file=key,
        original_name=new.file.name,
        kind=new.kind,
        source=source,
        request=entry.request,
        content_type=new.file.content_type,
        size=len(new.file.data),
        sha256=new.file.sha256,
        description=new.description.strip(),
        **_scan_fields(new.scan),
    )


def _after_add(created: list[Document], actor: User | None, source: str) -> None:
    CaseEvent.objects.bulk_create(
        [
            CaseEvent(
                case=d.case,
                kind=CaseEvent.Kind.DOCUMENT_ADDED,
                actor=actor,
                data={
                    "message": "document_added",
                    "document_kind": d.kind,
                    "document_source": source,
                    "document_scan": d.scan_status,
                },
            )
            for d in created
        ]
    )
    audit_record_many(
        actor=actor,
        action=AuditAction.CREATE,
        entries=[
            (
                d,
                f"Document on {d.case.reference}",
                {
                    "case": d.case.pk,
                    "kind": d.kind,
                    "content_type": d.content_type,
                    "size": d.size,
                    "scan": d.scan_status,
                    "source": source,
                },
            )
            for d in created
        ],
    )
    for document in created:
        if document.scan_status == Document.Scan.INFECTED:
            _infected(document, actor)
    by_case: dict[int, tuple[Case, list[Document]]] = {}
    for document in created:
        by_case.setdefault(document.case.pk, (document.case, []))[1].append(document)
    for case, documents in by_case.values():
        kinds = [d.kind for d in documents]
        documents_added.send(
            sender=Case,
            case=case,
            kinds=kinds,
            evidence={EVIDENCE_OF_KIND[k] for k in kinds if k in EVIDENCE_OF_KIND},
            documents=documents,
            actor=actor,
        )


def document_rescan(*, document_id: int) -> str:
    """Scan one waiting document again; returns its scan status afterwards."""
    document = Document.objects.select_related("case").get(pk=document_id)
    if not document.file:
        return document.scan_status  # erased (retention): nothing left to scan
    result = clamd.scan(document_store.file_read(document.file.name))
    with transaction.atomic():
        # Locked: two tick runs (cron overlapping a slow run) may scan the same document; the
        # second must see the first's verdict and not write over a found infection.
        # No key of the locked rows changes (no delete, no unique column): FOR NO KEY UPDATE
        # on PostgreSQL, which does not hold up inserts of rows referencing them.
        locked = (
            Document.objects.select_for_update(no_key=True)
            .select_related("case")
            .get(pk=document_id)
        )
        waiting = {Document.Scan.PENDING, Document.Scan.NOT_SCANNED}
        if locked.scan_status not in waiting:
            return locked.scan_status
        fields = _scan_fields(result)
        if result.verdict is Verdict.UNAVAILABLE:
            locked.scan_attempts += 1
            locked.save(update_fields=["scan_attempts"])
            return locked.scan_status
        locked.scan_status = str(fields["scan_status"])
        locked.scan_signature = str(fields["scan_signature"])
        locked.scanned_at = timezone.now()
        locked.scan_attempts += 1
        locked.save(update_fields=["scan_status", "scan_signature", "scanned_at", "scan_attempts"])
        if locked.scan_status == Document.Scan.INFECTED:
            _infected(locked, None)
        else:
            CaseEvent.objects.create(
                case=locked.case,
                kind=CaseEvent.Kind.DOCUMENT_ADDED,
                data={"message": "document_released", "document_kind": locked.kind},
            )
            audit_record(
                actor=None,
                action=AuditAction.UPDATE,
                obj=locked,
                summary=f"Document released by the malware scan on {locked.case.reference}",
                details={"case": locked.case_id, "scan": locked.scan_status},
            )
        return locked.scan_status


def documents_rescan(*, limit: int = RESCAN_BATCH) -> dict[str, int]:
    """Scan documents still waiting (the scanner was down, or is newly configured), oldest
    first; stops at the first that the scanner still cannot take (it is down: try next run)."""
    counts = {"clean": 0, "infected": 0, "waiting": 0}
    if not clamd.configured():
        return counts
    waiting = Document.objects.filter(
        scan_status__in=[Document.Scan.PENDING, Document.Scan.NOT_SCANNED]
    ).exclude(file="")
    for document_id in waiting.order_by("id").values_list("pk", flat=True)[:limit]:
        status = document_rescan(document_id=document_id)
        if status == Document.Scan.CLEAN:
            counts["clean"] += 1
        elif status == Document.Scan.INFECTED:
            counts["infected"] += 1
        else:
            counts["waiting"] += 1
            break
    return counts


def periodic_documents_rescan() -> str:
    """The `haven tick` job (registered in CasesConfig.ready)."""
    if not clamd.configured():
        return "no scanner configured"
    counts = documents_rescan()
    return ", ".join(f"{n} {what}" for what, n in counts.items())
