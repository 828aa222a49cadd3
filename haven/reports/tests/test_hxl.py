"""HXL aggregates: valid under libhxl, hashtag row under the header, no count under the
threshold."""

from __future__ import annotations

import csv
import re
from io import StringIO

import hxl
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from haven.cases.models import Case

from .desk import add_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk() -> None:
    for _ in range(6):
        add_case(days_ago=1, province="Kabul", pathway="p1", members=1)
    for _ in range(2):
        add_case(days_ago=1, province="Nuristan", pathway="p1")
    add_case(days_ago=2, province="Herat", pathway="siv_apply", status=Case.Status.CLOSED)


def _rows(path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def test_hxl_csv_parses_with_libhxl_and_suppresses_small_counts(desk, tmp_path) -> None:
    out = tmp_path / "agg.csv"
    call_command("report", "hxl", "--out", str(out), "--by", "province,pathway", stdout=StringIO())
    rows = _rows(out)
    assert rows[1] == [
        "#adm1+name",
        "#status+pathway",
        "#org",
        "#sector",
        "#affected+hh",
        "#affected+ind",
    ]
    source = hxl.data(str(out), hxl.InputOptions(allow_local=True))
    tags = [column.display_tag for column in source.columns]
    assert "#affected+hh" in tags and "#adm1+name" in tags
    data = list(source)
    assert len(data) == 3
    for row in data:
        for tag in ("#affected+hh", "#affected+ind"):
            value = row.get(tag)
            assert value in (None, "") or int(value) >= 5
    kabul = next(r for r in data if r.get("#adm1+name") == "Kabul")
    assert (kabul.get("#affected+hh"), kabul.get("#affected+ind")) == ("6", "12")
    nuristan = next(r for r in data if r.get("#adm1+name") == "Nuristan")
    assert nuristan.get("#affected+hh") in (None, "")


def test_the_threshold_is_configurable(desk, tmp_path, settings) -> None:
    settings.HAVEN_REPORTS_HXL_MIN_COUNT = 2
    out = tmp_path / "agg.csv"
    call_command("report", "hxl", "--out", str(out), "--by", "province", stdout=StringIO())
    counts = {
        r.get("#adm1+name"): r.get("#affected+hh")
        for r in hxl.data(str(out), hxl.InputOptions(allow_local=True))
    }
    assert counts == {"Herat": None, "Kabul": "6", "Nuristan": "2"}


def test_hxl_xlsx_parses_with_libhxl(desk, tmp_path) -> None:
    out = tmp_path / "agg.xlsx"
    call_command("report", "hxl", "--out", str(out), "--by", "date", stdout=StringIO())
    data = list(hxl.data(str(out), hxl.InputOptions(allow_local=True)))
    # By first-request day: 1 case two days ago (suppressed), 8 yesterday.
    assert [r.get("#affected+hh") for r in data] == [None, 8]


def test_an_unknown_grouping_is_refused(tmp_path, db) -> None:
    with pytest.raises(CommandError, match="Unknown grouping district"):
        call_command("report", "hxl", "--out", str(tmp_path / "x.csv"), "--by", "district")


def test_the_dashboard_download_is_hxl_and_audited(client_for, supervisor, desk) -> None:
    from haven.audit.models import AuditEvent

    response = client_for(supervisor).get(
        reverse("reports:hxl"), {"by": "pathway", "format": "csv"}
    )
    assert response.status_code == 200
    lines = response.content.decode().splitlines()
    assert lines[1].startswith("#status+pathway")
    assert AuditEvent.objects.filter(object_type="reports.hxl", action="export").count() == 1


def test_a_bad_grouping_on_the_dashboard_is_a_clear_400(client_for, supervisor) -> None:
    response = client_for(supervisor).get(reverse("reports:hxl"), {"by": "name"})
    assert response.status_code == 400
    assert "Unknown grouping name" in response.content.decode()


def test_the_download_is_not_cut_by_team_or_worker_and_says_why(
    client_for, supervisor, caseworker, task_force, desk
) -> None:
    from haven.audit.models import AuditEvent

    client = client_for(supervisor)
    for query in ({"team": task_force.pk}, {"assignee": caseworker.pk}):
        response = client.get(reverse("reports:hxl"), {"by": "province", **query})
        assert response.status_code == 400
        page = response.content.decode()
        assert "not cut by team or worker" in page
        # What was asked for stays in the form.
        assert response.context["form"].data.get(next(iter(query))) == str(
            next(iter(query.values()))
        )
    assert not AuditEvent.objects.filter(object_type="reports.hxl").exists()


def test_the_dashboards_hxl_form_leaves_team_and_worker_out(
    client_for, supervisor, caseworker, desk
) -> None:
    response = client_for(supervisor).get(reverse("reports:dashboard"), {"assignee": caseworker.pk})
    page = response.content.decode()
    hxl_form = page.split('action="' + reverse("reports:hxl") + '"', 1)[1].split("</form>", 1)[0]
    assert 'name="assignee"' not in hxl_form and 'name="date_from"' in hxl_form
    assert "not cut by team or worker" in hxl_form
    # The form as the dashboard sends it: the file downloads, for the whole desk.
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', hxl_form))
    download = client_for(supervisor).get(
        reverse("reports:hxl"), {**fields, "by": "province", "format": "csv"}
    )
    assert download.status_code == 200
    kabul = next(r for r in csv.reader(StringIO(download.content.decode())) if r[0] == "Kabul")
    assert kabul[-2:] == ["6", "12"]  # every Kabul case, not only the worker's


@pytest.mark.parametrize("option", ["--team", "--worker"])
def test_the_command_refuses_team_and_worker_with_the_reason(tmp_path, db, option) -> None:
    with pytest.raises(CommandError, match="not cut by team or worker") as refused:
        call_command("report", "hxl", "--out", str(tmp_path / "x.csv"), option, "1")
    assert refused.value.returncode == 2
    assert not (tmp_path / "x.csv").exists()
