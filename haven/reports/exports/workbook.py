"""The rows of a case export and the watermarked workbook that carries them."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.db.models import Count, F, Q
from django.utils import timezone

from haven.accounts.models import User
from haven.cases.models import Case
from haven.intake.models import PersonRecord, Relationship
from haven.triage.pathways import pathway_label

from ..models import CaseExport
from .fields import BY_NAME, field_label

# A cell a spreadsheet would run as a formula (or DDE) starts with one of these.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "|", "%")
CHUNK = 1000


def neutralise(value: str) -> str:
    """Spreadsheet formula injection: a leading quote makes the cell plain text."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _principal_records(case_ids: list[int]) -> dict[int, PersonRecord]:
    records = (
        PersonRecord.objects.filter(
            request__case_links__case_id__in=case_ids, relationship=Relationship.PRINCIPAL
        )
        .annotate(for_case=F("request__case_links__case_id"))
        .prefetch_related("identifiers")
        .order_by("request__received_at", "id")
    )
    first: dict[int, PersonRecord] = {}
    for record in records:
        first.setdefault(record.for_case, record)
    return first


def _row(
    case: Case, record: PersonRecord | None, fields: list[str], unmasked: set[str]
) -> list[str]:
    identifiers: dict[str, Any] = {}
    if record is not None:
        for identifier in record.identifiers.all():
            identifiers.setdefault(identifier.kind, identifier)
    values = []
    for name in fields:
        field = BY_NAME[name]
        if field.identifier:
            found = identifiers.get(field.identifier)
            if found is None:
                value = ""
            elif name in unmasked:
                value = found.normalized or found.value_as_written
            else:
                value = found.masked
        else:
            value = {
                "reference": lambda: case.reference,
                "status": lambda: str(case.get_status_display()),
                "pathway": lambda: pathway_label(case.pathway) if case.pathway else "",
                "priority": lambda: str(case.priority),
                "opened": lambda: timezone.localtime(case.created_at).date().isoformat(),
                "assignee": lambda: case.assignee.get_username() if case.assignee else "",
                "members": lambda: str(case.member_count),  # type: ignore[attr-defined]
                "province": lambda: record.province if record else "",
                "name": lambda: case.display_name or (record.display_name if record else ""),
                "father_name": lambda: record.father_name if record else "",
                "dob": lambda: record.dob_as_written if record else "",
            }[name]()
        values.append(neutralise(value))
    return values


def export_rows(*, case_ids: list[int], fields: list[str], unmasked: list[str]) -> list[list[str]]:
    rows: list[list[str]] = []
    clear = set(unmasked)
    for start in range(0, len(case_ids), CHUNK):
        chunk = case_ids[start : start + CHUNK]
        cases = (
            Case.objects.filter(pk__in=chunk)
            .select_related("assignee")
            .annotate(member_count=Count("members", filter=Q(members__merged_into__isnull=True)))
            .order_by("id")
        )
        records = _principal_records(chunk)
        rows.extend(_row(case, records.get(case.pk), fields, clear) for case in cases)
    return rows


def watermark(*, export: CaseExport, requester: User, at: dt.datetime) -> str:
    who = requester.get_full_name() or requester.get_username()
    when = timezone.localtime(at).strftime("%Y-%m-%d %H:%M %Z")
    return (
        f"CONFIDENTIAL: personal data. Export {export.reference} for {who}, {when}. "
        f"Do not forward. Deleted from Haven after expiry."
    )


def export_workbook(
    *, export: CaseExport, rows: list[list[str]], requester: User, at: dt.datetime
) -> bytes:
    import xlsxwriter

    out = io.BytesIO()
    # strings_to_formulas off: nothing written is ever a formula, whatever it starts with.
    book = xlsxwriter.Workbook(
        out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    mark = watermark(export=export, requester=requester, at=at)
    book.set_properties(
        {
            "title": f"Haven case export {export.reference}",
            "author": requester.get_username(),
            "comments": mark,
        }
    )
    sheet = book.add_worksheet("Cases")
    banner = book.add_format({"bold": True, "font_color": "#a4161a"})
    bold = book.add_format({"bold": True, "bg_color": "#f4f6f9"})
    sheet.write_string(0, 0, mark, banner)
    sheet.set_header(f"&L{mark[:200]}")
    sheet.set_footer(f"&L{mark[:200]}&RPage &P of &N")
    headers = [field_label(name) for name in export.fields]
    for j, header in enumerate(headers):
        sheet.write_string(1, j, neutralise(header), bold)
    for i, row in enumerate(rows, start=2):
        for j, value in enumerate(row):
            sheet.write_string(i, j, value)
    sheet.freeze_panes(2, 0)
    sheet.set_column(0, max(len(headers) - 1, 0), 22)
    book.close()
    return out.getvalue()
