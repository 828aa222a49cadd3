"""Background work of cases: scanning documents stored before they could be scanned."""

from __future__ import annotations

from django_tasks import task


@task()
def documents_scan() -> dict[str, int]:
    """Scan the documents waiting for the malware scanner (e-mail attachments, and any the
    scanner could not take when they arrived); `haven tick` does the same every minute."""
    from .services_documents import documents_rescan

    return documents_rescan()


def documents_scan_soon() -> None:
    """Queue a scan (called after the commit that stored waiting documents)."""
    documents_scan.enqueue()
