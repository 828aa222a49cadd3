"""Parts of the walk-in form that later apps add (cases: the documents brought to the desk).

Intake must not import cases, so a later app registers a part in its AppConfig.ready(): a
form to show and validate beside intake's own, and what to do with it once the request is
stored (inside the same transaction, after the pipeline gave the request its case).
Registering a name again replaces it (ready() may run twice).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django import forms

if TYPE_CHECKING:
    pass


@dataclass(frozen=True)
class WalkInPart:
    name: str
    # Rendered inside the walk-in form with `form` in its context.
    template: str
    # form(data, files) -> an unbound form when both are None.
    form: Callable[[Any, Any], forms.Form]
    # save(form=, request=, actor=) -> lines to tell the officer (what was changed on the way).
    save: Callable[..., list[str]]
    # Whether the part needs the form sent as multipart/form-data (files).
    multipart: bool = False


_parts: dict[str, WalkInPart] = {}


def register(part: WalkInPart) -> None:
    _parts[part.name] = part


def parts() -> list[WalkInPart]:
    return [_parts[name] for name in sorted(_parts)]
