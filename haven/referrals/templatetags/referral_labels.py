"""Snapshot codes (relationship, sex, pathway, status) as the reader's language says them."""

from __future__ import annotations

from django import template

from haven.intake.models import IdentifierKind, Relationship, Sex
from haven.triage.pathways import pathway_label as _pathway_label

from ..models import ReferralStatus

register = template.Library()


def _label(choices: type, value: object) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value or "")


@register.filter
def relationship_label(value: str) -> str:
    return _label(Relationship, value)


@register.filter
def sex_label(value: str) -> str:
    return _label(Sex, value) if value else ""


@register.filter
def identifier_label(value: str) -> str:
    return _label(IdentifierKind, value)


@register.filter
def status_label(value: str) -> str:
    return _label(ReferralStatus, value)


@register.filter
def pathway_label(value: str) -> str:
    return _pathway_label(value)
