"""What a case export may contain. Identifiers are masked unless the requester asks, field by
field, for them in clear; anything not listed here (raw input, notes, documents) cannot be
exported at all."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from haven.accounts.models import Role
from haven.intake.models import IdentifierKind

SUPERVISORS = frozenset({Role.SUPERVISOR})


@dataclass(frozen=True)
class ExportField:
    name: str
    label: str | Promise
    personal: bool = False
    identifier: str = ""  # an IdentifierKind: masked unless asked for in clear
    roles: frozenset[str] = SUPERVISORS


CASE_FIELDS = [
    ExportField("reference", _("Case reference")),
    ExportField("status", _("Status")),
    ExportField("pathway", _("Pathway")),
    ExportField("priority", _("Priority")),
    ExportField("opened", _("Opened on")),
    ExportField("assignee", _("Assigned to")),
    ExportField("members", _("Household members")),
    ExportField("province", _("Province")),
    ExportField("name", _("Principal's name"), personal=True),
    ExportField("father_name", _("Father's name"), personal=True),
    ExportField("dob", _("Date of birth as written"), personal=True),
    *(
        ExportField(f"id_{kind}", label, personal=True, identifier=kind)
        for kind, label in IdentifierKind.choices
    ),
]
BY_NAME = {f.name: f for f in CASE_FIELDS}
DEFAULT_FIELDS = ["reference", "status", "pathway", "name"]


def field_label(name: str) -> str:
    field = BY_NAME.get(name)
    return str(field.label) if field is not None else name
