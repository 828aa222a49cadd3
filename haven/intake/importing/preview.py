"""The dry run: what an import would do, row by row, without writing anything.

It reads the whole file once and reports counts, the rows with problems, and the
rows that look like the same person (normalised name + birth year + father's name:
a deliberately simple key; identity resolution proper happens after import).

Memory stays bounded for any file: the within-file bookkeeping (fingerprints seen,
same-person keys) lives in a temporary SQLite file, and only the first few hundred
findings are kept for display.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from haven.accounts.models import Organization
from haven.common.iterables import chunked
from haven.intake.models import ImportedRow

from .rows import ParsedRow, RowParser, Sheet

SHOWN_PROBLEM_ROWS = 200
SHOWN_GROUPS = 100
SHOWN_UNKNOWN_VALUES = 50
_CHUNK = 500


@dataclass
class Preview:
    rows: int = 0
    to_import: int = 0
    rejected: int = 0
    already_imported: int = 0
    repeated_in_file: int = 0
    needs_data_entry: int = 0
    problem_counts: dict[str, int] = field(default_factory=dict)
    problem_rows: list[dict[str, Any]] = field(default_factory=list)
    rejected_rows: list[dict[str, Any]] = field(default_factory=list)
    same_person_groups: list[dict[str, Any]] = field(default_factory=list)
    same_person_group_count: int = 0
    # Households (rows sharing the household column) and how many requests the rows make.
    household_count: int = 0
    rows_in_households: int = 0
    household_groups: list[dict[str, Any]] = field(default_factory=list)
    # Eligibility answers nobody has said the meaning of: column, value, how many rows.
    unknown_values: list[dict[str, Any]] = field(default_factory=list)

    @property
    def requests(self) -> int:
        """Requests the import would make: a household's rows are one."""
        return self.to_import - self.rows_in_households + self.household_count

    @property
    def skipped(self) -> int:
        return self.already_imported + self.repeated_in_file

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "skipped": self.skipped, "requests": self.requests}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Preview:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


class _Scratch:
    """Within-file bookkeeping on disk, so a file of any length fits."""

    def __init__(self) -> None:
        # An empty name is SQLite's private temporary database: on disk, gone when closed.
        self.db = sqlite3.connect("")
        self.db.execute("PRAGMA journal_mode=OFF")
        self.db.execute("PRAGMA synchronous=OFF")
        self.db.execute("CREATE TABLE seen (fingerprint TEXT PRIMARY KEY, row INTEGER)")
        self.db.execute("CREATE TABLE person (key TEXT, row INTEGER, label TEXT)")
        self.db.execute("CREATE TABLE household (key TEXT, row INTEGER, label TEXT)")

    def first_seen(self, row: ParsedRow) -> bool:
        cursor = self.db.execute(
            "INSERT OR IGNORE INTO seen VALUES (?, ?)", (row.fingerprint, row.number)
        )
        return cursor.rowcount == 1

    def add_person(self, rows: list[ParsedRow]) -> None:
        self.db.executemany(
            "INSERT INTO person VALUES (?, ?, ?)",
            [(r.same_person_key, r.number, r.label[:100]) for r in rows if r.same_person_key],
        )

    def add_household(self, rows: list[ParsedRow]) -> None:
        self.db.executemany(
            "INSERT INTO household VALUES (?, ?, ?)",
            [(r.household, r.number, r.label[:100]) for r in rows if r.household],
        )

    def households(self, limit: int) -> tuple[list[dict[str, Any]], int, int]:
        """Shown households (first `limit`), how many there are, and how many rows they hold."""
        query = (
            "SELECT key, group_concat(row), group_concat(label, ' · ') FROM household "
            "GROUP BY key ORDER BY min(row)"
        )
        count, rows = self.db.execute(
            "SELECT count(DISTINCT key), count(*) FROM household"
        ).fetchone()
        shown = [
            {
                "key": key,
                "rows": sorted(int(r) for r in numbers.split(",")),
                "labels": (labels or "")[:300],
            }
            for key, numbers, labels in self.db.execute(f"{query} LIMIT ?", (limit,))
        ]
        return shown, count, rows

    def groups(self, limit: int) -> tuple[list[dict[str, Any]], int]:
        self.db.execute("CREATE INDEX person_key ON person (key)")
        query = (
            "SELECT key, group_concat(row), min(label) FROM person GROUP BY key "
            "HAVING count(*) > 1 ORDER BY min(row)"
        )
        total = self.db.execute(f"SELECT count(*) FROM ({query})").fetchone()[0]  # noqa: S608
        shown = [
            {"label": label, "rows": sorted(int(r) for r in rows.split(","))}
            for _key, rows, label in self.db.execute(f"{query} LIMIT ?", (limit,))
        ]
        return shown, total

    def close(self) -> None:
        self.db.close()


def _problem_entry(row: ParsedRow) -> dict[str, Any]:
    return {"row": row.number, "label": row.label[:100], "problems": row.problems}


def preview_rows(
    *,
    sheet: Sheet,
    parser: RowParser,
    organization: Organization,
    progress: Callable[[int, float], None] | None = None,
) -> Preview:
    preview = Preview()
    problems: Counter[str] = Counter()
    scratch = _Scratch()
    unknown: Counter[tuple[str, str]] = Counter()
    rows = sheet.stream()
    try:
        for chunk in chunked(rows, _CHUNK):
            parsed = [parser.parse(number, cells) for number, cells in chunk]
            already = set(
                ImportedRow.objects.filter(
                    organization=organization,
                    fingerprint__in=[r.fingerprint for r in parsed if not r.reject],
                ).values_list("fingerprint", flat=True)
            )
            counted = [r for r in parsed if _count(preview, problems, scratch, r, already)]
            scratch.add_person(counted)
            scratch.add_household(counted)
            unknown.update(value for r in counted for value in r.unknown_values)
            if progress is not None:
                progress(preview.rows, rows.fraction_read())
        preview.same_person_groups, preview.same_person_group_count = scratch.groups(SHOWN_GROUPS)
        shown, preview.household_count, preview.rows_in_households = scratch.households(
            SHOWN_GROUPS
        )
        preview.household_groups = shown
    finally:
        rows.close()
        scratch.close()
    preview.problem_counts = dict(problems.most_common())
    preview.unknown_values = [
        {"column": column, "value": value, "rows": n}
        for (column, value), n in unknown.most_common(SHOWN_UNKNOWN_VALUES)
    ]
    return preview


def _count(
    preview: Preview,
    problems: Counter[str],
    scratch: _Scratch,
    row: ParsedRow,
    already: set[str],
) -> bool:
    """Count the row; whether it would be imported."""
    preview.rows += 1
    if row.reject:
        preview.rejected += 1
        if len(preview.rejected_rows) < SHOWN_PROBLEM_ROWS:
            preview.rejected_rows.append({"row": row.number, "reason": row.reject})
        return False
    if row.fingerprint in already:
        preview.already_imported += 1
        return False
    if not scratch.first_seen(row):
        preview.repeated_in_file += 1
        return False
    preview.to_import += 1
    if "name_missing" in row.problems:
        preview.needs_data_entry += 1
    problems.update(row.problems)
    if row.problems and len(preview.problem_rows) < SHOWN_PROBLEM_ROWS:
        preview.problem_rows.append(_problem_entry(row))
    return True
