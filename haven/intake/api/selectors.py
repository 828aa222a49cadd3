"""Reads for the partner API: an organisation sees only the requests it sent."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.db.models import Count

from haven.accounts.models import Organization
from haven.intake.models import Request


@dataclass(frozen=True)
class RequestPage:
    count: int
    page: int
    page_size: int
    results: list[dict[str, Any]]

    @property
    def pages(self) -> int:
        return (self.count + self.page_size - 1) // self.page_size


def requests_sent_by(*, organization: Organization, page: int, page_size: int) -> RequestPage:
    """The organisation's requests, newest first, one page of minimal fields (no personal data)."""
    sent = Request.objects.filter(requester__organization=organization)
    start = (page - 1) * page_size
    rows = (
        sent.order_by("-received_at", "-id")
        .annotate(people_count=Count("person_records"))
        .values(
            "id",
            "receipt_number",
            "received_at",
            "status",
            "outcome",
            "people_count",
            "people_pending",
            "raw_input",
        )[start : start + page_size]
    )
    return RequestPage(
        count=sent.count(), page=page, page_size=page_size, results=[_counted(r) for r in rows]
    )


def _counted(row: dict[str, Any]) -> dict[str, Any]:
    # Just accepted, its people not stored yet: count them in the body as sent (validated).
    raw_input = row.pop("raw_input")
    if row.pop("people_pending"):
        row["people_count"] = len(json.loads(raw_input)["people"])
    return row
