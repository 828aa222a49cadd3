"""Reads of case documents, each asking accounts.permissions and auditing what it shows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import Http404

from haven.accounts import permissions
from haven.audit.models import AuditAction
from haven.audit.services import audit_record

from . import document_store
from .models import Case, Document
from .selectors import case_get

if TYPE_CHECKING:
    from haven.accounts.models import User


def case_documents(*, user: User, case: Case) -> list[Document]:
    """The case's documents for its page (read with the page, whose view is audited)."""
    if not permissions.can_list_documents(user):
        return []
    return list(case.documents.select_related("uploaded_by").order_by("-created_at", "-id"))


def document_get(*, user: User, document_id: int) -> Document:
    """A document of a case the user may see, for a user who may read documents; else 404
    (a partner, an outsider, an intake officer: nothing says the document exists)."""
    if not permissions.can_read_documents(user):
        raise Http404
    document = Document.objects.filter(pk=document_id).select_related("case").first()
    if document is None:
        raise Http404
    case_get(user=user, case_id=document.case_id)  # the case's own access rule
    return document


def document_content(*, user: User, document: Document) -> bytes:
    """The document's bytes, decrypted; the read is audited (who opened which, when)."""
    data = document_store.file_read(document.file.name)
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        obj=document,
        summary=f"Opened a document of {document.case.reference}",
        details={"case": document.case_id, "kind": document.kind, "scan": document.scan_status},
    )
    return data


def documents_quarantined(*, user: User) -> QuerySet[Document]:
    """Documents held back by the scan, newest first, for supervisors; the read is audited."""
    if not permissions.can_review_quarantine(user):
        raise Http404
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        object_type="cases.document",
        summary="Quarantined documents",
    )
    return (
        Document.objects.filter(scan_status__in=[Document.Scan.INFECTED, Document.Scan.PENDING])
        .select_related("case", "uploaded_by")
        .order_by("-created_at", "-id")
    )
