"""A real browser: a 300-character unbroken name must not widen the page on a tablet or a
phone (it stretched the case list to 3,455 px), in English or in Dari."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from haven.common.browser_testing import browser_test, chromium_page, haven_server, log_in

pytestmark = browser_test
PASSWORD = "browser-test-password-2"
LONG_NAME = "Zabihullah" * 30  # 300 letters, no space to break at
SETUP = (
    "import json;"
    "from haven.accounts.models import Organization, User;"
    "from haven.intake.models import Channel;"
    "from haven.intake.services import PersonInput, RequestInput, request_create;"
    "org = Organization.objects.create(name='Task Force', kind='task_force');"
    # One supervisor per screen width: a second log-in of one account within the same 30 s
    # waits for the next authenticator code (browser_testing._totp_code), up to 30 s.
    f"[User.objects.create_user(username=f'super{{width}}', password='{PASSWORD}',"
    " role='supervisor', organization=org) for width in (768, 360)];"
    f"people = (PersonInput(given_name='{LONG_NAME}', father_name='{LONG_NAME}',"
    " date_of_birth='1365/04/12'),);"
    "request_create(data=RequestInput(channel=Channel.WALK_IN, people=people,"
    f" help_requested='{LONG_NAME}'), raw_input=json.dumps({{'n': 1}}))"
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, migrated_database: Path) -> Iterator[str]:
    with haven_server(
        tmp_path_factory.mktemp("var"), database=migrated_database, setup_python=SETUP
    ) as url:
        yield url


def _page_width(page: Any) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))


@pytest.mark.parametrize("width", [768, 360])
def test_a_300_character_name_does_not_widen_the_page(server, width):
    with chromium_page(viewport={"width": width, "height": 1000}) as page:
        log_in(page, server, f"super{width}", PASSWORD)
        page.goto(f"{server}/cases/")
        assert LONG_NAME[:50] in page.inner_text("#case-table")
        assert _page_width(page) <= width
        page.click("#case-table tbody td a")  # a case, not a sortable column's header
        page.wait_for_url("**/cases/*/")
        assert LONG_NAME[:50] in page.inner_text("#members")
        assert _page_width(page) <= width
        with page.expect_navigation():
            page.select_option("#language-select", "fa-af")
        assert page.get_attribute("html", "dir") == "rtl"
        assert _page_width(page) <= width
        page.goto(f"{server}/cases/")
        assert _page_width(page) <= width
