"""A real browser: a caseworker takes the next case from their team's queue, adds a task on
it and marks it done, all in place (htmx), in English; the history has both lines."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from haven.common.browser_testing import browser_test, chromium_page, haven_server, log_in

pytestmark = browser_test
PASSWORD = "browser-test-password-3"
SETUP = (
    "import json;"
    "from haven.accounts.models import Organization, Team, User;"
    "from haven.intake.models import Channel;"
    "from haven.intake.services import PersonInput, RequestInput, request_create;"
    "org = Organization.objects.create(name='Task Force', kind='task_force');"
    f"worker = User.objects.create_user(username='worker', password='{PASSWORD}',"
    " role='caseworker', organization=org);"
    "team = Team.objects.create(name='Dari desk', kind='language', values=['fa', 'en']);"
    "team.members.add(worker);"
    "people = (PersonInput(given_name='Mariam', father_name='Nazir', date_of_birth='1990'),);"
    "created = request_create(data=RequestInput(channel=Channel.WALK_IN, people=people),"
    " raw_input=json.dumps({'n': 1}));"
    "case = created.request.case_links.get().case;"
    "case.team = team; case.save(update_fields=['team'])"
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, migrated_database: Path) -> Iterator[str]:
    with haven_server(
        tmp_path_factory.mktemp("var"), database=migrated_database, setup_python=SETUP
    ) as url:
        yield url


def test_take_next_then_complete_a_task(server):
    with chromium_page(viewport={"width": 1280, "height": 1000}) as page:
        log_in(page, server, "worker", PASSWORD)
        page.goto(f"{server}/cases/")
        with page.expect_navigation():
            page.click("text=Take next case")
        assert "/cases/" in page.url and page.url.rstrip("/").split("/")[-1].isdigit()
        assert "is yours now" in page.inner_text("body")
        assert page.inner_text("#assignee").strip() == "worker"
        # Add a task: the panel is swapped in place (no navigation).
        url = page.url
        page.fill("#task-form input[name=title]", "Call Mariam about the interview")
        page.click("#task-form button[type=submit]")
        page.wait_for_selector("#tasks li[data-task] >> text=Call Mariam about the interview")
        assert page.url == url
        # An empty title is refused in place, with the message on the field.
        page.click("#task-form button[type=submit]")
        page.wait_for_selector("#tasks >> text=the title is empty")
        # Done.
        item = page.locator("#tasks li[data-task]", has_text="Call Mariam about the interview")
        item.locator("button.task-done").click()
        page.wait_for_selector("#tasks >> text=No open tasks.")
        assert page.url == url
        page.reload()
        history = page.inner_text("#history")
        assert "Task added" in history and "Task done" in history
        assert "Call Mariam about the interview" in history
