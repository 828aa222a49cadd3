"""Intake models, one module per concern; everything is importable from haven.intake.models."""

from .core import (
    Channel,
    DatePrecision,
    Identifier,
    IdentifierKind,
    PersonRecord,
    Relationship,
    Request,
    Requester,
    Sex,
)

__all__ = [
    "Channel",
    "DatePrecision",
    "Identifier",
    "IdentifierKind",
    "PersonRecord",
    "Relationship",
    "Request",
    "Requester",
    "Sex",
]
