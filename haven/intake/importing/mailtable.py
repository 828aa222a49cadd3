"""A simple table in an e-mail ("Name | Relation | DOB", tab- or space-aligned columns):
its rows as (field, value) pairs, read by mailpeople one person per row."""

from __future__ import annotations

import re

from . import fields


def table_rows(lines: list[str]) -> tuple[list[list[tuple[str, str]]], set[int]]:
    """The rows of the first table whose header row names at least two fields, one of them a
    name (cells split by "|", tabs or 3+ spaces), each as its (field, value) pairs with a
    value; and the indexes of the lines the table uses."""
    used: set[int] = set()
    rows: list[list[tuple[str, str]]] = []
    for i, line in enumerate(lines):
        cells = _cells(line)
        if len(cells) < 2:
            continue
        mapping = fields.detect_mapping(cells)
        if fields.recognised_count(mapping) < 2 or not set(mapping) & set(fields.NAME_FIELDS):
            continue
        used.add(i)
        for j in range(i + 1, len(lines)):
            row = _cells(lines[j])
            if re.fullmatch(r"[\s|:+\-=]*", lines[j]) and lines[j].strip():
                used.add(j)
                continue
            if len(row) < 2:
                break
            used.add(j)
            rows.append(
                [
                    (name, value)
                    for name, value in zip(mapping, row, strict=False)
                    if value and name not in (fields.NOTES, fields.IGNORE)
                ]
            )
        break
    return rows, used


def _cells(line: str) -> list[str]:
    if "|" in line:
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
    elif "\t" in line:
        cells = [c.strip() for c in line.split("\t")]
    else:
        cells = [c.strip() for c in re.split(r"\s{3,}", line.strip())]
    return cells if len([c for c in cells if c]) >= 2 else []
