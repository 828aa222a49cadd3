"""Charts as SVG rendered on the server: a Vega-Lite spec per figure table, drawn by
vl-convert (a bundled Deno/Vega runtime: nothing is fetched, no JavaScript reaches the page).

The SVG keeps its labels as <text>, so the browser (or WeasyPrint in the sitrep) shapes Dari
and Pashto with its own fonts. vl-convert writes presentation attributes only; any <style>
element or style="" attribute a later version might add is stripped (the site's CSP has no
'unsafe-inline'), and so is anything that would load from outside.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .figures import FigureTable

# Columns that are not series of the chart (totals, targets, and overdue: a referral that is
# overdue is also counted under its status, so stacking it would count it twice).
NOT_CHARTED = {"total", "target", "over_target", "overdue"}
FONT = "Noto Sans, Noto Naskh Arabic, DejaVu Sans, sans-serif"
_CACHE: OrderedDict[str, str] = OrderedDict()
_CACHE_SIZE = 256
_UNSAFE = [
    re.compile(r"<style\b[^>]*>.*?</style>", re.S | re.I),
    re.compile(r"\sstyle=\"[^\"]*\"", re.I),
    re.compile(r"<script\b[^>]*>.*?</script>", re.S | re.I),
    re.compile(r"<foreignObject\b.*?</foreignObject>", re.S | re.I),
    re.compile(r"\s(?:xlink:)?href=\"(?!#)[^\"]*\"", re.I),
    re.compile(r"\son[a-z]+=\"[^\"]*\"", re.I),
]
PALETTE = ["#0b5cab", "#e07b00", "#1b7f3b", "#a4161a", "#6a3d9a", "#5b6576", "#00838f"]


def chart_spec(table: FigureTable, *, width: int = 560) -> dict[str, Any] | None:
    """The Vega-Lite spec for a table, or None when there is nothing to draw."""
    if table.chart == "none" or not table.rows or table.total() == 0:
        return None
    charted = [
        (i, name)
        for i, (name, key) in enumerate(zip(table.columns, table.column_keys, strict=False))
        if key not in NOT_CHARTED
    ]
    values = [
        {"row": row.label, "series": name, "n": row.cells[i].value, "order": order}
        for order, row in enumerate(table.rows)
        for i, name in charted
    ]
    time_series = table.key == "requests_per_day"
    category = {
        "field": "row",
        "type": "ordinal",
        "sort": {"field": "order"},
        "title": table.row_header,
        "axis": {"labelLimit": 200, **({"labelAngle": -60} if time_series else {})},
    }
    count = {"field": "n", "type": "quantitative", "title": "", "axis": {"tickMinStep": 1}}
    encoding: dict[str, Any] = (
        {"x": category, "y": count} if time_series else {"y": category, "x": count}
    )
    if len(charted) > 1:
        encoding["color"] = {
            "field": "series",
            "type": "nominal",
            "title": "",
            "sort": [name for _i, name in charted],
            "scale": {"range": PALETTE},
            "legend": {"orient": "bottom", "columns": 3, "labelLimit": 200},
        }
    else:
        encoding["color"] = {"value": PALETTE[0]}
    rows = len(table.rows)
    height = 220 if time_series else max(60, 22 * rows)
    if not time_series:
        # Horizontal bars: labels take up to labelLimit beside the plot; keep the whole
        # chart about as wide as a time series so both scale alike on the page.
        width = max(200, width - 240)
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "data": {"values": values},
        "mark": {"type": "bar", "tooltip": False},
        "encoding": encoding,
        "width": width,
        "height": height,
        "background": "#ffffff",
        "config": {
            "font": FONT,
            "view": {"stroke": None},
            "axis": {"labelFontSize": 11, "titleFontSize": 11},
            "legend": {"labelFontSize": 11},
        },
    }


def sanitize_svg(svg: str) -> str:
    for pattern in _UNSAFE:
        svg = pattern.sub("", svg)
    return svg


def svg_for(spec: dict[str, Any], *, publish: bool = False) -> str:
    """The SVG for a spec; the same figures give the same spec, drawn once per process.

    Only the periodic job publishes to the site's cache (`publish`): the default views it
    draws are what every process asks for, while a filtered view is rarely asked twice and
    writing it there would cost the request a handful of statements for nothing."""
    key = hashlib.sha256(json.dumps(spec, sort_keys=True, default=str).encode()).hexdigest()
    cached = _CACHE.get(key)
    if cached is not None:
        _CACHE.move_to_end(key)
        return cached
    # Then the site's cache (shared by every process when HAVEN_CACHE_URL names Redis): the
    # periodic job draws the default dashboard's charts there after each rebuild.
    shared = caches["default"]
    svg: str | None = shared.get(f"reports:svg:{key}")
    if svg is None:
        import vl_convert

        svg = sanitize_svg(str(vl_convert.vegalite_to_svg(spec)))
        # Scalable: the page's CSS sets the width; the viewBox keeps the proportions.
        svg = re.sub(r'(<svg\b[^>]*?)\swidth="[^"]*"\sheight="[^"]*"', r"\1", svg, count=1)
        if publish:
            shared.set(f"reports:svg:{key}", svg, timeout=24 * 3600)
    _CACHE[key] = svg
    if len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return svg


_FONTS_REGISTERED = False
FONT_DIRS = ["/usr/share/fonts/truetype/noto", "/usr/share/fonts/truetype/dejavu"]


def _register_fonts() -> None:
    global _FONTS_REGISTERED
    if _FONTS_REGISTERED:
        return
    import os

    import vl_convert

    for folder in FONT_DIRS:
        if os.path.isdir(folder):
            vl_convert.register_font_directory(folder)
    _FONTS_REGISTERED = True


def chart_png_uri(table: FigureTable, *, width: int = 480) -> str:
    """The chart as a PNG data URI, for the sitrep PDF: WeasyPrint's own SVG text drawing
    lays Arabic-script glyphs out left to right (letters of Dari labels come out reversed),
    while vl-convert's renderer (resvg, rustybuzz) shapes and orders them correctly."""
    import base64

    import vl_convert

    spec = chart_spec(table, width=width)
    if spec is None:
        return ""
    _register_fonts()
    png = vl_convert.vegalite_to_png(spec, scale=2)
    return "data:image/png;base64," + base64.b64encode(png).decode()


def chart_svg(
    table: FigureTable, *, width: int = 560, label: str = "", publish: bool = False
) -> SafeString:
    """Inline SVG for the table (empty when nothing to draw), labelled for screen readers;
    the accessible table beside it carries the same figures."""
    spec = chart_spec(table, width=width)
    if spec is None:
        return mark_safe("")
    svg = svg_for(spec, publish=publish)
    title = escape(label or table.title)
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{title}" focusable="false" ', 1)
    return mark_safe(svg)  # noqa: S308 (vl-convert's output, sanitised above)


def chart_cache_seconds() -> int:
    """How long a view's chart is kept. Figures from the summary tables change key with each
    rebuild; the few read live (backlogs, referrals, messages) may lag their table by this."""
    return int(getattr(settings, "HAVEN_REPORTS_CHART_CACHE_SECONDS", 120))


def chart_cache_key(*parts: object) -> str:
    """The site-cache key of one chart of one view: the figure, the filters, the language,
    the audience and when the summaries were built (a rebuild is a new key)."""
    digest = hashlib.sha256(json.dumps([str(p) for p in parts]).encode()).hexdigest()
    return f"reports:chart:{digest}"


def chart_cached(key: str, draw: Callable[[], str], *, timeout: int) -> str:
    """A chart's SVG by its view's key (no figures computed when found), else drawn and kept."""
    shared = caches["default"]
    svg = shared.get(key)
    if svg is None:
        svg = draw()
        shared.set(key, svg, timeout=timeout)
    return str(svg)
