"""Shows an event's details to people: changes as old → new, everything else as key: value."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django import template

register = template.Library()
_MAX = 200


@dataclass(frozen=True)
class DetailRow:
    key: str
    value: str = ""
    old: str = ""
    new: str = ""
    is_change: bool = False


def shown(value: Any) -> str:
    if value is None:
        return "—"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= _MAX else text[: _MAX - 1] + "…"


def detail_rows(details: Any) -> list[DetailRow]:
    if not isinstance(details, dict):
        return [DetailRow(key="", value=shown(details))] if details else []
    rows: list[DetailRow] = []
    for key, value in details.items():
        if key == "changes" and isinstance(value, dict):
            for field, change in value.items():
                if isinstance(change, list | tuple) and len(change) == 2:
                    rows.append(
                        DetailRow(
                            key=field, old=shown(change[0]), new=shown(change[1]), is_change=True
                        )
                    )
                else:
                    rows.append(DetailRow(key=field, value=shown(change)))
        else:
            rows.append(DetailRow(key=key, value=shown(value)))
    return rows


@register.filter
def audit_detail_rows(details: Any) -> list[DetailRow]:
    return detail_rows(details)
