"""The dashboard: every figure equals a count made independently here, links to the cases
behind it, and bad filters get a clear message."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from haven.cases.models import Case
from haven.intake.models import Channel, Request
from haven.reports import figures
from haven.reports.figures import SLOT_REFERRALS, Cell, FigureTable, Row

from .desk import add_case

pytestmark = pytest.mark.django_db

URL = reverse("reports:dashboard")


@pytest.fixture
def desk(caseworker, supervisor):
    add_case(days_ago=0, channel=Channel.WALK_IN, pathway="p1", assignee=caseworker)
    add_case(
        days_ago=1,
        channel=Channel.EMAIL,
        pathway="p1",
        status=Case.Status.IN_REVIEW,
        assignee=caseworker,
    )
    add_case(days_ago=3, channel=Channel.API, pathway="siv_apply", province="Herat")
    add_case(
        days_ago=40,
        channel=Channel.WALK_IN,
        pathway="p1",
        status=Case.Status.AWAITING_INFORMATION,
        assignee=supervisor,
    )
    add_case(days_ago=100, channel=Channel.API, pathway="refer_unhcr", members=2)
    add_case(days_ago=2, channel=Channel.WALK_IN, pathway="p1", status=Case.Status.CLOSED)
    return Case.objects.all()


def _board(client_for, user, **query):
    response = client_for(user).get(URL, query)
    assert response.status_code == 200, response.content.decode()[:500]
    return response, response.context["board"]


def _open() -> object:
    return Case.objects.exclude(status=Case.Status.CLOSED)


def test_open_cases_by_pathway_and_status_equal_independent_counts(
    client_for, supervisor, desk
) -> None:
    _response, board = _board(client_for, supervisor)
    table = board.table("open_cases")
    assert table.column_keys == ["new", "in_review", "awaiting_information", "total"]
    for pathway in ("p1", "siv_apply", "refer_unhcr"):
        for status in ("new", "in_review", "awaiting_information"):
            expected = _open().filter(pathway=pathway, status=status).count()  # type: ignore[attr-defined]
            assert table.value(pathway, status) == expected
        assert table.value(pathway, "total") == _open().filter(pathway=pathway).count()  # type: ignore[attr-defined]
    assert table.value("p1", "new") == 1
    assert table.total() == 2 * _open().count()  # type: ignore[attr-defined]


def test_requests_per_day_by_channel_equal_independent_counts(client_for, supervisor, desk) -> None:
    _response, board = _board(client_for, supervisor)
    table = board.table("requests_per_day")
    today = timezone.localdate()
    for days_ago in range(30):
        day = today - dt.timedelta(days=days_ago)
        for channel in table.column_keys:
            expected = sum(
                1
                for r in Request.objects.filter(channel=channel)
                if timezone.localtime(r.received_at).date() == day
            )
            assert table.value(day.isoformat(), channel) == expected
    # The 100-day-old request is outside the default 30-day period.
    assert (
        table.total()
        == Request.objects.filter(received_at__gte=timezone.now() - dt.timedelta(days=30)).count()
    )


def test_ageing_buckets_and_breaches_against_each_pathways_target(
    client_for, supervisor, desk
) -> None:
    _response, board = _board(client_for, supervisor)
    table = board.table("ageing")
    # No guidance is active: every pathway has the default 30-day target.
    assert table.value("p1", "target") == 30
    assert table.value("p1", "0–7") == 2
    assert table.value("p1", "31–60") == 1
    assert table.value("p1", "over_target") == 1
    assert table.value("refer_unhcr", "91+") == 1
    assert table.value("refer_unhcr", "over_target") == 1
    assert table.value("siv_apply", "over_target") == 0


def test_every_figure_links_to_the_list_behind_it(client_for, supervisor, desk) -> None:
    response, board = _board(client_for, supervisor)
    page = response.content.decode()
    client = client_for(supervisor)
    checked = 0
    for key in ("open_cases", "ageing", "cases_per_worker"):
        for row in board.table(key).rows:
            for cell in row.cells:
                if not cell.url:
                    continue
                assert cell.url.replace("&", "&amp;") in page
                listed = client.get(cell.url)
                assert listed.status_code == 200
                assert listed.context["page"].paginator.count == cell.value, (
                    key,
                    row.key,
                    cell.url,
                )
                checked += 1
    assert checked > 20


def test_cases_per_worker_and_the_reduced_dashboard_for_caseworkers(
    client_for, supervisor, caseworker, desk
) -> None:
    _response, board = _board(client_for, supervisor)
    workers = board.table("cases_per_worker")
    assert workers.value(str(caseworker.pk), "total") == _open().filter(assignee=caseworker).count()  # type: ignore[attr-defined]
    assert workers.value("none", "total") == _open().filter(assignee__isnull=True).count()  # type: ignore[attr-defined]

    response, mine = _board(client_for, caseworker)
    assert not mine.full
    own = mine.table("cases_per_worker")
    assert [r.key for r in own.rows] == [str(caseworker.pk)]
    assert "supervisor" not in [r.label for r in own.rows]
    assert reverse("reports:sitrep") not in response.content.decode()


def test_filters_narrow_the_figures(client_for, supervisor, desk) -> None:
    _response, board = _board(client_for, supervisor, province="herat", pathway="siv_apply")
    assert board.table("open_cases").total() == 2
    assert board.table("requests_per_day").total() == 1


def test_a_partner_and_an_account_without_role_see_no_dashboard(
    client_for, partner_a, outsider
) -> None:
    assert client_for(partner_a).get(URL).status_code == 403
    assert client_for(outsider).get(URL).status_code == 403


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"date_from": "2026-11-20", "date_to": "2026-11-01"}, "ends before it starts"),
        ({"date_from": "2016-01-01", "date_to": "2026-01-01"}, "at most 731 days"),
        ({"date_from": "not a date"}, "Enter a valid date"),
        ({"date_from": "2999-01-01", "date_to": "2999-01-02"}, "starts in the future"),
    ],
)
def test_bad_periods_get_a_clear_message_not_a_500(client_for, supervisor, query, message) -> None:
    response = client_for(supervisor).get(URL, query)
    assert response.status_code == 400
    assert message in response.content.decode()
    # What was typed stays in the form.
    assert query["date_from"] in response.content.decode()


def test_an_empty_period_says_so(client_for, supervisor) -> None:
    response = client_for(supervisor).get(URL, {"date_from": "2026-01-01", "date_to": "2026-01-31"})
    assert response.status_code == 200
    assert "No requests were received in this period." in response.content.decode()


def test_a_later_app_fills_a_slot_with_its_own_provider(client_for, supervisor, desk) -> None:
    def referrals(context):
        return [
            FigureTable(
                key="referrals_per_partner",
                title="Referrals per partner",
                row_header="Partner",
                columns=["Sent", "Accepted"],
                column_keys=["sent", "accepted"],
                rows=[Row("UNHCR Pakistan", [Cell(7, "/x"), Cell(3)], "1")],
            )
        ]

    figures.register(key=SLOT_REFERRALS, build=referrals, audience="supervisor")
    try:
        _response, board = _board(client_for, supervisor)
        keys = [t.key for t in board.tables]
        assert (
            keys.index("backlog")
            < keys.index("referrals_per_partner")
            < keys.index("cases_per_worker")
        )
        assert board.table("referrals_per_partner").value("1", "sent") == 7
        # The sitrep reads the same providers: referrals by partner appear there too.
        from haven.reports.filters import default_filters
        from haven.reports.sitrep import sitrep_build

        report = sitrep_build(filters=default_filters())
        assert report.table("referrals_per_partner") is not None
    finally:
        # Put back what reports itself registers in that slot (providers_partners).
        from haven.reports.providers_partners import register_partner_figures

        register_partner_figures()


def test_the_dashboard_answers_in_a_fixed_number_of_queries(
    client_for, supervisor, desk, django_assert_max_num_queries, settings
) -> None:
    client = client_for(supervisor)
    client.get(URL)
    # Rebuilding the summaries in the request (a small desk): a fixed number too.
    with django_assert_max_num_queries(40):
        client.get(URL)
    # Reading fresh summaries, as on a large desk between periodic rebuilds.
    settings.HAVEN_REPORTS_SUMMARY_MAX_AGE_SECONDS = 3600
    with django_assert_max_num_queries(22):
        client.get(URL)
    for _ in range(5):
        add_case(days_ago=5, pathway="p2")
    with django_assert_max_num_queries(22):
        client.get(URL, {"province": "Kabul"})


def test_on_a_large_desk_the_periodic_job_refreshes_the_figures(
    client_for, supervisor, settings
) -> None:
    from haven.common import periodic
    from haven.reports.models import SummaryState

    add_case(pathway="p1")
    client = client_for(supervisor)
    assert _board(client_for, supervisor)[1].table("open_cases").value("p1", "total") == 1
    # A desk whose rebuild is slow: the page reads the summaries as they are.
    settings.HAVEN_REPORTS_SUMMARY_MAX_AGE_SECONDS = 60
    SummaryState.objects.update(took_ms=60_000)
    add_case(pathway="p1")
    assert client.get(URL).context["board"].table("open_cases").value("p1", "total") == 1
    assert periodic.run_all(only={"reports.summaries"})["reports.summaries"] == "summaries fresh"
    SummaryState.objects.update(built_at=timezone.now() - dt.timedelta(minutes=2))
    assert periodic.run_all(only={"reports.summaries"})["reports.summaries"].startswith(
        "summaries rebuilt"
    )
    assert client.get(URL).context["board"].table("open_cases").value("p1", "total") == 2
