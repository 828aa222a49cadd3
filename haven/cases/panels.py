"""Panels that downstream apps (triage, referrals) add to the case page.

Cases must not import its downstream apps, so they register a provider in `case_panel_providers`
from their AppConfig.ready(); each returns a CasePanel or None (nothing to show, or the user may
not see it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from django.template.loader import render_to_string

from haven.common.registry import Registry

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

# Filled by triage, referrals, communications and retention (their apps.py).
case_panel_providers: Registry[PanelProvider] = Registry("sections of the case page")


def case_panels(*, case: Case, user: User) -> list[CasePanel]:
    panels = []
    for provider in case_panel_providers.values():
        panel = provider(case, user)
        if panel is not None:
            panels.append(panel)
    return sorted(panels, key=lambda p: p.order)
