from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def isolate(value: object) -> str:
    """Keep a left-to-right value (a date, a number range) whole inside right-to-left text:
    2021-10-15 must not read 15-10-2021 in Dari."""
    # Non-breaking hyphens and spaces: a narrow screen must not break a date in two.
    text = str(value).replace("-", "\u2011").replace(" ", "\u00a0")
    return f"\u2066{text}\u2069"
