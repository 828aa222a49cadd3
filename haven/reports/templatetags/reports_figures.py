from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from haven.reports.charts import chart_svg
from haven.reports.figures import FigureTable

register = template.Library()


@register.simple_tag
def figure_chart(table: FigureTable) -> SafeString:
    return chart_svg(table)
