"""The preview list as CSV: case references only, since exports are where data escapes."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any

from .selectors import PreviewRow

CSV_HEADER = ["case", "from_pathway", "to_pathway", "from_priority", "to_priority", "rule"]


def write_preview_csv(out: Any, rows: Iterable[PreviewRow]) -> None:
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for row in rows:
        writer.writerow(
            [
                row.reference,
                row.from_pathway,
                row.to_pathway,
                row.from_priority,
                row.to_priority,
                row.rule,
            ]
        )
