"""Plug-in points an earlier app offers and a later app fills, in its AppConfig.ready().

The app order (docs/architecture.md) lets a later app import an earlier one, never the reverse.
Where an earlier app must call something only a later one knows (the case page shows triage's
panel; e-mail import asks communications whether a message is a reply), the earlier app declares
a `Slot` (one provider) or a `Registry` (several, in order) as a module attribute, and the later
app fills it when Django starts. A reader finds every provider by searching for the attribute's
name, and mypy checks what is put in it: nothing is named by a string in settings.

Filling again replaces (ready() may run twice, and tests swap providers with `replaced`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar

T = TypeVar("T")


class Slot(Generic[T]):
    """One provider, or none (the earlier app then works without it)."""

    def __init__(self, purpose: str) -> None:
        self.purpose = purpose
        self._value: T | None = None

    def fill(self, value: T) -> None:
        self._value = value

    def get(self) -> T | None:
        return self._value

    @contextmanager
    def replaced(self, value: T | None) -> Iterator[None]:
        """For tests: another provider (or none) for the duration of the block."""
        saved, self._value = self._value, value
        try:
            yield
        finally:
            self._value = saved

    def __repr__(self) -> str:
        return f"Slot({self.purpose!r}, {self._value!r})"


class Registry(Generic[T]):
    """Several providers, by name, called in the order they were registered."""

    def __init__(self, purpose: str) -> None:
        self.purpose = purpose
        self._items: dict[str, T] = {}

    def register(self, name: str, value: T) -> None:
        self._items[name] = value

    def values(self) -> list[T]:
        return list(self._items.values())

    def names(self) -> list[str]:
        return list(self._items)

    @contextmanager
    def replaced(self, items: dict[str, T]) -> Iterator[None]:
        """For tests: exactly these providers for the duration of the block."""
        saved, self._items = self._items, dict(items)
        try:
            yield
        finally:
            self._items = saved

    def __repr__(self) -> str:
        return f"Registry({self.purpose!r}, {self.names()!r})"
