"""What later apps tell resolution, registered in their AppConfig.ready().

A person's page links to their cases, but resolution may not import cases (app order):
cases registers a provider here when Django starts. Registering again replaces.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_person_cases: list[Callable[..., list[Any]]] = []


def register_person_cases(provider: Callable[..., list[Any]]) -> None:
    """`provider(user=, person_id=)` gives the cases to list on the person's page: objects
    with `case_id`, `reference`, `status`, `display_name` and `current`."""
    _person_cases[:] = [provider]


def person_cases(*, user: Any, person_id: int) -> list[Any]:
    return _person_cases[0](user=user, person_id=person_id) if _person_cases else []
