"""Small helpers over iterables shared by the apps."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")


def chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Lists of at most `size` items, in order: IN-lists under the databases' parameter
    limits, spreadsheet rows in committed chunks."""
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk
