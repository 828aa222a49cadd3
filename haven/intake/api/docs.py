"""A documentation page for partners that works offline (no CDN, no JavaScript).

Its field reference is generated from the same schemas as the OpenAPI document, so the
two cannot disagree.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template import Context, Engine
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_GET

from .errors import api_boundary, max_body_bytes
from .idempotency import replay_window
from .schemas import EXAMPLE_REQUEST, RequestIn
from .throttling import WINDOW_SECONDS, default_limit

# Its own engine: the template lives beside this module, outside any app's templates folder.
_ENGINE = Engine(dirs=[str(Path(__file__).parent / "templates")], autoescape=True)


@dataclass(frozen=True)
class FieldRow:
    path: str
    type: str
    required: bool
    notes: str


def _describe(prop: dict[str, Any], defs: dict[str, Any]) -> tuple[str, str, dict[str, Any]]:
    """(type, notes, nested object schema or {}) for one JSON-schema property."""
    options = [o for o in prop.get("anyOf", [prop]) if o.get("type") != "null"]
    node = options[0] if options else prop
    if "$ref" in node:
        node = defs[node["$ref"].rsplit("/", 1)[-1]]
    notes = []
    if "enum" in node:
        notes.append("one of: " + ", ".join(repr(v) for v in node["enum"]))
    if "maxLength" in node or "maxLength" in prop:
        notes.append(f"at most {node.get('maxLength', prop.get('maxLength'))} characters")
    if "maxItems" in prop:
        notes.append(f"{prop.get('minItems', 0)} to {prop['maxItems']} items")
    if prop.get("description"):
        notes.append(prop["description"])
    kind = node.get("type", "object")
    if kind == "array":
        item = node["items"]
        nested = defs[item["$ref"].rsplit("/", 1)[-1]] if "$ref" in item else {}
        return "list of objects" if nested else "list", "; ".join(notes), nested
    return kind, "; ".join(notes), node if kind == "object" else {}


def _rows(schema: dict[str, Any], defs: dict[str, Any], prefix: str = "") -> list[FieldRow]:
    rows = []
    required = set(schema.get("required", []))
    for name, prop in schema.get("properties", {}).items():
        kind, notes, nested = _describe(prop, defs)
        path = f"{prefix}{name}"
        rows.append(FieldRow(path=path, type=kind, required=name in required, notes=notes))
        if nested:
            suffix = "[]." if kind.startswith("list") else "."
            rows.extend(_rows(nested, defs, path + suffix))
    return rows


def field_reference() -> list[FieldRow]:
    schema = RequestIn.model_json_schema()
    return _rows(schema, schema.get("$defs", {}))


@api_boundary
@require_GET
def docs_page(request: HttpRequest) -> HttpResponse:
    base = reverse("haven-api-v1:api-root")
    context = {
        "base": base,
        "absolute_base": request.build_absolute_uri(base),
        "schema_url": reverse("haven-api-v1:openapi-json"),
        "fields": field_reference(),
        "example": json.dumps(EXAMPLE_REQUEST, ensure_ascii=False, indent=2),
        "max_body_bytes": max_body_bytes(),
        "rate_limit": default_limit(),
        "window": WINDOW_SECONDS,
        "replay_hours": int(replay_window().total_seconds() // 3600),
        # A file, not a <style> element: the Content-Security-Policy allows no inline style.
        "stylesheet": static("css/api-docs.css"),
    }
    html = _ENGINE.get_template("api_docs.html").render(Context(context))
    return HttpResponse(html)
