"""The matcher's codes as reviewers read them (see resolution.labels)."""

from __future__ import annotations

from django import template

from haven.resolution.labels import review_reason_label

register = template.Library()


@register.filter
def review_reason(reason: str) -> str:
    return review_reason_label(reason)
