"""Everything under /api/. Include it from the root URLconf as

path("api/", include("haven.intake.api.urls")),
"""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path, re_path

from .docs import docs_page
from .errors import api_boundary, not_found
from .views import api


def _bounded(patterns: list[URLPattern | URLResolver]) -> list[URLPattern | URLResolver]:
    """The router's own URLs, each behind the boundary that enforces the one error format."""
    bounded: list[URLPattern | URLResolver] = []
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern = URLPattern(
                pattern.pattern, api_boundary(pattern.callback), pattern.default_args, pattern.name
            )
        bounded.append(pattern)
    return bounded


_patterns, _app_name, _namespace = api.urls

_v1 = [*_bounded(_patterns), path("docs", docs_page, name="docs")]

urlpatterns = [
    path("v1/", include((_v1, _app_name), namespace=_namespace)),
    # Last: any other address under /api/ answers 404 in the API's format, not an HTML page.
    re_path(r"^(?P<path>.*)$", not_found),
]
