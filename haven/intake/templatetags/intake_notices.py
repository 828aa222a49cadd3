"""Intake notices for staff pages (requests waiting for the background pipeline)."""

from __future__ import annotations

from typing import Any

from django import template
from django.core.exceptions import PermissionDenied

from haven.intake.selectors import pending_intake_for

register = template.Library()


@register.inclusion_tag("intake/_pending_intake.html", takes_context=True)
def pending_intake_notice(context: dict[str, Any]) -> dict[str, Any]:
    """Requests stored but not yet matched: shown to the task force, nothing to anyone else."""
    request = context.get("request")
    try:
        pending = pending_intake_for(user=request.user) if request is not None else None
    except PermissionDenied:
        pending = None
    return {"pending": pending}
