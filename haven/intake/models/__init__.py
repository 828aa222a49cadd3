"""Intake models, one module per concern; everything is importable from haven.intake.models."""

from .api import IdempotencyRecord
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
from .imports import (
    ImportBatch,
    ImportedRow,
    ImportMapping,
    MailAttachment,
    MailboxCursor,
    MailMessage,
    MailMessagePart,
    RejectedRow,
)

__all__ = [
    "Channel",
    "DatePrecision",
    "IdempotencyRecord",
    "Identifier",
    "IdentifierKind",
    "ImportBatch",
    "ImportMapping",
    "ImportedRow",
    "MailAttachment",
    "MailMessage",
    "MailMessagePart",
    "MailboxCursor",
    "PersonRecord",
    "RejectedRow",
    "Relationship",
    "Request",
    "Requester",
    "Sex",
]
