"""Panels that downstream apps (triage, referrals) add to the case page.

Cases must not import its downstream apps, so they register a callable in
settings.HAVEN_CASE_PANELS instead; each returns a CasePanel or None (nothing
to show, or the user may not see it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from haven.accounts.models import User

    from .models import Case


@dataclass(frozen=True)
class CasePanel:
    title: str
    # Rendered with `context` as its whole context (plus the request), not inside the case page's.
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    # Lower comes first.
    order: int = 100

    def render(self, request: HttpRequest) -> str:
        return render_to_string(self.template, self.context, request=request)


PanelProvider = Callable[["Case", "User"], CasePanel | None]


def case_panels(*, case: Case, user: User) -> list[CasePanel]:
    panels = []
    for dotted in settings.HAVEN_CASE_PANELS:
        provider: PanelProvider = import_string(dotted)
        panel = provider(case, user)
        if panel is not None:
            panels.append(panel)
    return sorted(panels, key=lambda p: p.order)
