"""Labels for values that downstream apps define: a case's pathway is triage's vocabulary.

Cases does not import triage (the flow runs the other way); triage fills
`haven.cases.registry.pathway_labeller` in its AppConfig.ready(). Without it the code is shown.
"""

from __future__ import annotations

from django import template

from haven.cases.registry import pathway_labeller

register = template.Library()


@register.filter
def pathway_label(code: str) -> str:
    """The pathway as staff read it ("Refer to UNHCR"), in their language."""
    if not code:
        return ""
    labeller = pathway_labeller.get()
    return labeller(code) if labeller is not None else code


@register.filter
def record_flag(code: str) -> str:
    """A person record's parsing flag in words ("Date of birth given in the Solar Hijri
    calendar"), never the code."""
    from haven.intake.flags import record_flag_label

    return record_flag_label(code)


@register.filter
def mail_flags(request: object) -> list[str]:
    """An imported e-mail's flags in words ("Office list: 12 families stated, 10 found")."""
    from haven.intake.flags import request_mail_flags
    from haven.intake.models import Request

    return request_mail_flags(request) if isinstance(request, Request) else []


@register.filter
def nobr(value: object) -> str:
    """A reference such as C-0000042 kept on one line (a line may not break at its hyphen)."""
    from django.utils.html import format_html

    return format_html('<span class="nowrap">{}</span>', value)


@register.filter
def ltr(value: object) -> str:
    """A date or number kept left-to-right inside a sentence, in a right-to-left page too
    (Unicode's left-to-right isolate, plain text: it can go into a translated sentence)."""
    return f"\u2066{value}\u2069"
