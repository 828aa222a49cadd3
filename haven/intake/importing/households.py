"""Households in a spreadsheet: rows that share a household column are one request.

Offices send one row per person with a "Family ID" or "Case number" column; stored row by
row, a file of 50 families became 196 cases. Rows that share the column's value become one
request with every member, so they reach matching and cases as the family they are.

A chunk never cuts a household whose rows are together (chunked_keeping_households). Rows
of one household scattered further apart than a chunk are stored as a second request that
names the first (services._household_continuations): never merged silently after the fact.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from typing import TypeVar

from haven.intake.models import Relationship
from haven.intake.services import PersonInput, RequestInput

from .rows import ParsedRow

Row = TypeVar("Row")
# However long a run of one household's rows, a chunk stops growing here.
MAX_CHUNK_GROWTH = 2


def chunked_keeping_households(
    rows: Iterable[tuple[int, list[str]]],
    size: int,
    household_of: Callable[[Sequence[str]], str],
) -> Iterator[list[tuple[int, list[str]]]]:
    """Chunks of about `size` rows; a chunk grows past `size` (up to twice) rather than
    separate the rows of the household it ends with."""
    chunk: list[tuple[int, list[str]]] = []
    last = ""
    for number, cells in rows:
        key = household_of(cells)
        if len(chunk) >= size and (not key or key != last or len(chunk) >= size * 2):
            yield chunk
            chunk = []
        chunk.append((number, cells))
        last = key
    if chunk:
        yield chunk


def group(rows: Sequence[ParsedRow]) -> list[list[ParsedRow]]:
    """Rows in households, in the order each household first appears; a row without a
    household value is a household of its own."""
    groups: list[list[ParsedRow]] = []
    by_key: dict[str, list[ParsedRow]] = {}
    for row in rows:
        if not row.household:
            groups.append([row])
            continue
        if row.household not in by_key:
            by_key[row.household] = []
            groups.append(by_key[row.household])
        by_key[row.household].append(row)
    return groups


def _members(rows: Sequence[ParsedRow]) -> tuple[PersonInput, ...]:
    """Everyone the rows name, the principal first. A row that does not say how it is
    related is the principal only when no row says who is: otherwise "other"."""
    people = [p for row in rows if row.data is not None for p in row.data.people]
    stated = [p for p in people if p.relationship == Relationship.PRINCIPAL]
    principal = stated[0] if stated else (people[0] if people else None)
    ordered = [principal] if principal is not None else []
    for person in people:
        if person is principal:
            continue
        if person.relationship == Relationship.PRINCIPAL:
            person = replace(person, relationship=Relationship.OTHER)
        ordered.append(person)
    return tuple(ordered)


def household_input(rows: Sequence[ParsedRow]) -> RequestInput:
    """One request for a household's rows: every member, the first country and place
    given, the notes of every row, and the facts (the first row to answer a fact wins)."""
    inputs = [row.data for row in rows if row.data is not None]
    first = inputs[0]
    facts: dict[str, object] = {}
    for data in reversed(inputs):
        facts.update(data.facts)
    notes: list[str] = []
    for data in inputs:
        for line in data.help_requested.splitlines():
            if line and line not in notes:
                notes.append(line)
    return replace(
        first,
        people=_members(rows),
        help_requested="\n".join(notes),
        current_country=next((d.current_country for d in inputs if d.current_country), ""),
        current_location=next((d.current_location for d in inputs if d.current_location), ""),
        facts=facts,
    )


def household_raw(
    *, file_name: str, sheet: str, headers: Sequence[str], rows: Sequence[ParsedRow]
) -> str:
    """The household's rows exactly as read, with their headers, for Request.raw_input."""
    return json.dumps(
        {
            "file": file_name,
            "sheet": sheet,
            "headers": list(headers),
            "rows": [{"row": row.number, "cells": list(row.cells)} for row in rows],
        },
        ensure_ascii=False,
    )
