"""`haven resolve-file`: a CSV in, `record_id,cluster_id,decision` out, no database.

The evaluation interface of the identity-resolution issue: anyone can run it on
their own data with ground truth and measure us.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from .records import INPUT_COLUMNS, record_prepare
from .resolve import Resolution, Thresholds, records_resolve

OUTPUT_COLUMNS = ("record_id", "cluster_id", "decision")


class InputError(ValueError):
    """The CSV cannot be read as resolve-file input; the message says why."""


def rows_read(stream: IO[str]) -> list[dict[str, str]]:
    reader = csv.DictReader(stream)
    header = [h.strip().lstrip("\ufeff") for h in reader.fieldnames or []]
    if "record_id" not in header:
        raise InputError(f"no record_id column; expected header: {','.join(INPUT_COLUMNS)}")
    reader.fieldnames = header
    rows = []
    seen: set[str] = set()
    for line, row in enumerate(reader, start=2):
        record_id = (row.get("record_id") or "").strip()
        if not record_id:
            raise InputError(f"line {line}: empty record_id")
        if record_id in seen:
            raise InputError(f"line {line}: record_id {record_id!r} appears twice")
        seen.add(record_id)
        rows.append({k: (v or "") for k, v in row.items() if k is not None})
    return rows


def rows_resolve(
    rows: Iterable[Mapping[str, str]],
    *,
    thresholds: Thresholds | None = None,
    trained_model: dict[str, Any] | None = None,
    today: dt.date | None = None,
) -> Resolution:
    records: list[dict[str, Any]] = []
    # Not part of the interface, but honoured when present: records of one request are
    # different people (a household), never to be merged.
    groups: dict[str, str | None] = {}
    for row in rows:
        records.append(record_prepare(row, today=today))
        if request := row.get("request_id"):
            groups[row["record_id"]] = request
    return records_resolve(
        records,
        thresholds=thresholds,
        trained_model=trained_model,
        groups=groups or None,
    )


def resolution_write(resolution: Resolution, ids: Iterable[str], stream: IO[str]) -> None:
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(OUTPUT_COLUMNS)
    for record_id in ids:
        writer.writerow(
            [record_id, resolution.cluster_of[record_id], resolution.decision[record_id]]
        )


def rows_drain(rows: list[dict[str, str]]) -> Iterator[dict[str, str]]:
    while rows:
        yield rows.pop()


def file_resolve(
    input_path: Path,
    output_path: Path,
    *,
    thresholds: Thresholds | None = None,
    as_of: dt.date | None = None,
) -> Resolution:
    """Resolve a CSV file; `as_of` is the day its ages ("35 years") were written (today if
    not given), as intake counts them from the day a request was received."""
    with input_path.open(encoding="utf-8-sig", newline="") as stream:
        rows = rows_read(stream)
    ids = [r["record_id"] for r in rows]
    # Prepared records replace the rows as they are made: a million rows held twice is GBs.
    rows.reverse()
    resolution = rows_resolve(rows_drain(rows), thresholds=thresholds, today=as_of)
    with output_path.open("w", encoding="utf-8", newline="") as stream:
        resolution_write(resolution, ids, stream)
    return resolution
