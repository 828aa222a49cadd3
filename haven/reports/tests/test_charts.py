"""The dashboard's charts: the page answers with the figures and tables, and each chart comes
in its own request after it (htmx, hx-trigger="load"), as inline SVG without inline style or
script, kept in the cache by view so that a second reader does not wait for drawing."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.urls import reverse

from haven.cases.models import Case
from haven.intake.models import Channel
from haven.reports import charts

from .desk import add_case

pytestmark = pytest.mark.django_db
URL = reverse("reports:dashboard")
CHART_URL = re.compile(r'hx-get="([^"]+)" hx-trigger="load"')


@pytest.fixture
def desk(caseworker, supervisor) -> None:
    add_case(days_ago=0, channel=Channel.WALK_IN, pathway="p1", assignee=caseworker)
    add_case(days_ago=1, channel=Channel.EMAIL, pathway="p1", status=Case.Status.IN_REVIEW)
    add_case(days_ago=40, pathway="siv_apply", assignee=supervisor, province="Herat")


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    from django.core.cache import cache

    cache.clear()
    charts._CACHE.clear()


def _chart_urls(page: str) -> list[str]:
    return [unescape(u) for u in CHART_URL.findall(page)]


def test_the_page_holds_figures_and_tables_and_asks_for_each_chart_after(
    client_for, supervisor, desk
) -> None:
    response = client_for(supervisor).get(URL)
    page = response.content.decode()
    board = response.context["board"]
    # No chart is drawn for the page: its tables are the figures, and stay without JavaScript.
    assert "<svg" not in page
    drawn = [t for t in board.tables if t.has_chart()]
    assert len(drawn) >= 4 and page.count("<table") >= len(drawn)
    urls = _chart_urls(page)
    assert [u.split("/")[4] for u in urls] == [t.key for t in drawn]


def test_each_chart_is_inline_svg_without_inline_style_or_script(
    client_for, supervisor, desk
) -> None:
    client = client_for(supervisor)
    urls = _chart_urls(client.get(URL).content.decode())
    for url in urls:
        response = client.get(url, HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        svg = response.content.decode()
        assert svg.startswith("<svg ") and 'role="img"' in svg
        assert "<style" not in svg and " style=" not in svg and "<script" not in svg
        assert not re.search(r'(?:src|href)="https?://', svg)


def test_a_chart_draws_the_same_figures_as_the_table_beside_it(
    client_for, supervisor, desk
) -> None:
    client = client_for(supervisor)
    response = client.get(URL, {"pathway": "p1"})
    board = response.context["board"]
    url = next(u for u in _chart_urls(response.content.decode()) if "/open_cases/" in u)
    svg = client.get(url).content.decode()
    table = board.table("open_cases")
    expected = charts.chart_svg(table)
    assert svg == str(expected)
    # Only p1 cases: the chart of the filtered view, not the default one.
    assert "siv_apply" not in url and "pathway=p1" in url


def test_a_second_request_for_a_chart_is_served_from_the_cache(
    client_for, supervisor, desk, monkeypatch, settings
) -> None:
    settings.HAVEN_REPORTS_SUMMARY_MAX_AGE_SECONDS = 3600
    client = client_for(supervisor)
    url = next(u for u in _chart_urls(client.get(URL).content.decode()) if "/ageing/" in u)
    first = client.get(url).content
    charts._CACHE.clear()

    def no_drawing(*args, **kwargs):
        raise AssertionError("drawn again")

    monkeypatch.setattr(charts, "svg_for", no_drawing)
    assert client.get(url).content == first


def test_the_reduced_dashboard_gets_only_its_own_charts(
    client_for, caseworker, supervisor, desk
) -> None:
    page = client_for(caseworker).get(URL).content.decode()
    urls = _chart_urls(page)
    assert urls and not any("referrals" in u or "messages" in u for u in urls)
    for url in urls:
        assert client_for(caseworker).get(url).status_code == 200
    # A supervisor's figure asked for by a caseworker: not theirs to see.
    supervisor_only = reverse(
        "reports:chart", args=["referrals.per_partner", "referrals_per_partner"]
    )
    assert client_for(caseworker).get(supervisor_only).status_code == 404


def test_bad_chart_requests_get_a_clear_status(client_for, supervisor, partner_a) -> None:
    client = client_for(supervisor)
    unknown = reverse("reports:chart", args=["reports.nothing", "nothing"])
    assert client.get(unknown).status_code == 404
    good = reverse("reports:chart", args=["reports.open_cases", "open_cases"])
    assert client.get(good, {"date_from": "2026-02-30"}).status_code == 400
    assert client_for(partner_a).get(good).status_code == 403
