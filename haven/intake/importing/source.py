"""Opening a file for import: the table, its header, and the column mapping to use.

Precedence for each column: a mapping given for this run, then corrections remembered
for the source organisation, then automatic recognition.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from django.utils.translation import gettext as _

from haven.accounts.models import Organization
from haven.intake.models import ImportMapping

from . import fields
from .errors import ImportFileError
from .readers import open_table
from .rows import RowParser, Sheet, find_header


@dataclass
class OpenedSheet:
    sheet: Sheet
    mapping: list[str]
    notes: list[str] = field(default_factory=list)

    def parser(self, organization: Organization) -> RowParser:
        return RowParser(
            headers=self.sheet.headers,
            mapping=self.mapping,
            organization=organization,
            fact_values=remembered_fact_values(organization),
        )


def file_digest(fileobj: IO[bytes]) -> tuple[str, int]:
    """SHA-256 and size of a file, read in chunks; a resumed import is found by its digest."""
    digest = hashlib.sha256()
    size = 0
    fileobj.seek(0)
    while chunk := fileobj.read(1024 * 1024):
        digest.update(chunk)
        size += len(chunk)
    fileobj.seek(0)
    return digest.hexdigest(), size


def remembered_mapping(organization: Organization) -> dict[str, str]:
    found = ImportMapping.objects.filter(organization=organization).first()
    return dict(found.columns) if found else {}


def remembered_fact_values(organization: Organization) -> dict[str, dict[str, str]]:
    found = ImportMapping.objects.filter(organization=organization).first()
    return dict(found.fact_values) if found else {}


def read_mapping_file(path: str | Path) -> dict[str, str]:
    """A mapping file: JSON, {"column header as in the file": "field"}."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ImportFileError(_("The mapping file could not be read: %(e)s") % {"e": exc}) from exc
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in data.items()
    ):
        raise ImportFileError(
            _('The mapping file must be a JSON object: {"column header": "field", …}.')
        )
    unknown = fields.unknown_fields([v for v in data.values() if v != fields.NOTES])
    if unknown:
        problems = [_("unknown field “%(field)s”") % {"field": f} for f in unknown]
        raise ImportFileError(
            _("The mapping file has %(problems)s. Fields are: %(fields)s.")
            % {"problems": "; ".join(problems), "fields": ", ".join(fields.FIELDS)}
        )
    return {fields.normalize_header(k): v for k, v in data.items()}


def open_sheet(
    fileobj: IO[bytes],
    *,
    organization: Organization,
    explicit: Mapping[str, str] | None = None,
    mapping: list[str] | None = None,
    header_only: bool = False,
) -> OpenedSheet:
    """Read the file's header and settle the mapping; rows are read later, as a stream.

    `mapping`, one field per column, is a mapping staff already confirmed for this file.
    `header_only`: the rows will not be read from this sheet (the upload page: a workbook
    is read whole only in the background job, never in a web request).
    """
    overrides = {**remembered_mapping(organization), **(explicit or {})}
    table = open_table(fileobj, header_only=header_only)
    sheet = find_header(table, overrides)
    detected = fields.detect_mapping(sheet.headers, overrides)
    if mapping is not None:
        detected = (list(mapping) + detected[len(mapping) :])[: len(sheet.headers)]
    notes = []
    if table.other_sheets:
        notes.append(
            _("Only the first sheet, “%(sheet)s”, is imported; not: %(others)s.")
            % {"sheet": table.sheet_name, "others": ", ".join(table.other_sheets)}
        )
    if fields.recognised_count(detected) == 0:
        raise ImportFileError(
            _("No recognisable columns: every column is set to a note or not imported.")
        )
    return OpenedSheet(sheet=sheet, mapping=detected, notes=notes)
