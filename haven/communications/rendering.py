"""A deliberately small renderer for message texts, and SMS length.

Staff edit these texts, so they must not be able to reach anything but the named values:
no Django template language (no attribute access, filters, tags or includes), only
`{{ name }}` for a name the purpose allows. Anything else that looks like template syntax is
refused when the text is previewed or saved, not when a thousand messages are being sent.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from .texts import LIST_SEPARATOR, PURPOSES, RTL_LANGUAGES

_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_ANY_BRACES = re.compile(r"\{\{|\}\}|\{%|%\}")

Value = str | Sequence[str]


class TemplateTextError(ValueError):
    """The text cannot be used: the message says why, in plain words."""


def placeholders(text: str) -> list[str]:
    return _PLACEHOLDER.findall(text)


def check(text: str, *, purpose: str) -> None:
    """Refuse unknown variables and stray template syntax."""
    allowed = PURPOSES[purpose].variables
    unknown = sorted({name for name in placeholders(text) if name not in allowed})
    if unknown:
        raise TemplateTextError(
            "Unknown variable(s): "
            + ", ".join(unknown)
            + ". This template may use: "
            + ", ".join(sorted(allowed))
            + "."
        )
    if _ANY_BRACES.search(_PLACEHOLDER.sub("", text)):
        raise TemplateTextError(
            "Only {{ name }} placeholders are allowed; remove the other braces or {% %} tags."
        )


_ARABIC_SCRIPT = re.compile(r"[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]")
# Unicode isolates: a Latin value (a receipt number, an address) inside Dari or Pashto text
# keeps its own left-to-right order on every phone instead of being broken up by it.
_LRI, _PDI = "\u2066", "\u2069"


def _isolated(text: str, language: str) -> str:
    if language in RTL_LANGUAGES and text and not _ARABIC_SCRIPT.search(text):
        return f"{_LRI}{text}{_PDI}"
    return text


def _shown(value: Value, *, sms: bool, language: str) -> str:
    if isinstance(value, str):
        return _isolated(value, language)
    items = [_isolated(str(v), language) for v in value]
    if sms:
        return LIST_SEPARATOR.get(language, ", ").join(items)
    return "\n".join(f"- {item}" for item in items)


@functools.lru_cache(maxsize=512)
def _compiled(text: str, purpose: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The text checked once and split at its placeholders: (literal parts, names), the
    literals one more than the names. A notice renders the same few texts 100,000 times."""
    check(text, purpose=purpose)
    parts = _PLACEHOLDER.split(text)  # literal, name, literal, name, ..., literal
    return tuple(parts[0::2]), tuple(parts[1::2])


def render(
    text: str,
    values: Mapping[str, Value],
    *,
    purpose: str,
    sms: bool = False,
    language: str = "en",
) -> str:
    literals, names = _compiled(text, purpose)
    missing = sorted({n for n in names if n not in values})
    if missing:
        raise TemplateTextError("No value for: " + ", ".join(missing) + ".")
    out = [literals[0]]
    for name, literal in zip(names, literals[1:], strict=True):
        out.append(_shown(values[name], sms=sms, language=language))
        out.append(literal)
    return "".join(out)


# -- SMS length ------------------------------------------------------------------------------
# GSM 03.38: the basic set (one septet each) and the extension set (an escape and a septet).
_GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENDED = set("^{}\\[~]|€\f")


@dataclass(frozen=True)
class SmsLength:
    encoding: str  # "GSM-7" or "UCS-2"
    characters: int  # in the encoding's units: septets, or UTF-16 code units
    parts: int
    per_part: int  # what each part holds at this length (160/153 or 70/67)


def sms_length(text: str) -> SmsLength:
    if all(ch in _GSM_BASIC or ch in _GSM_EXTENDED for ch in text):
        units = sum(2 if ch in _GSM_EXTENDED else 1 for ch in text)
        single, multi, encoding = 160, 153, "GSM-7"
    else:
        # Dari and Pashto (and any emoji) force UCS-2: UTF-16 code units, 70 per message.
        units = len(text.encode("utf-16-le")) // 2
        single, multi, encoding = 70, 67, "UCS-2"
    if units <= single:
        return SmsLength(encoding, units, 1 if units else 0, single)
    return SmsLength(encoding, units, math.ceil(units / multi), multi)


def sample_values(purpose: str, *, language: str) -> dict[str, Value]:
    """Example values for a preview: plausible, and obviously not anyone's."""
    from .texts import DOCUMENT_LABELS, STATUS_LABELS, localized

    values: dict[str, Value] = {
        "receipt_number": "HV-7K2QD-9MX4T",
        "status_url": "https://haven.example.org/status/",
        "status": localized(STATUS_LABELS["under_review"], language),
        "documents": [
            localized(DOCUMENT_LABELS[code], language) for code in ("passport", "recommendation")
        ],
        "appointment_date": "2026-12-14 10:00",
        "appointment_place": "Task force office, Diplomatic Enclave",
    }
    return {k: v for k, v in values.items() if k in PURPOSES[purpose].variables}


def unknown_keys(values: Iterable[str], *, purpose: str) -> list[str]:
    return sorted(set(values) - PURPOSES[purpose].variables)
