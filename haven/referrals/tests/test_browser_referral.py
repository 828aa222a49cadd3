"""A real browser against a real server: a caseworker refers a case, the partner accepts it
and records an outcome, and the caseworker sees the outcome on the case."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from haven.common.browser_testing import browser_test, chromium_page, haven_server, log_in

from .browser_setup import PASSWORD

pytestmark = browser_test
SETUP = "from haven.referrals.tests.browser_setup import setup; setup()"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, migrated_database: Path) -> Iterator[str]:
    with haven_server(
        tmp_path_factory.mktemp("var"), database=migrated_database, setup_python=SETUP
    ) as url:
        yield url


@pytest.fixture
def page() -> Iterator[Any]:
    with chromium_page() as page:
        yield page


def _log_in(page: Any, server: str, username: str) -> None:
    # Password, then the second factor (enrolled at the first log-in), as a person would.
    log_in(page, server, username, PASSWORD)


def _log_out(page: Any) -> None:
    page.click("header button:has-text('Log out')")
    page.wait_for_url("**/accounts/login/")


def test_a_caseworker_refers_the_partner_accepts_and_records_an_outcome(server, page):
    _log_in(page, server, "caseworker")
    page.wait_for_url("**/cases/")
    page.click("text=C-0000001")
    page.click("text=Refer this case")
    page.select_option("#id_service", label="UNHCR Pakistan — Protection")
    page.select_option("#id_urgency", "urgent")
    page.fill("#id_reason", "Protection assessment: woman at risk")
    page.click("text=Send referral")
    page.wait_for_url("**/referrals/*/")
    assert "Sent" in page.inner_text("[data-testid=referral-status]")
    reference = page.inner_text("h1").split(" ")[0]
    _log_out(page)

    _log_in(page, server, "partner")
    page.wait_for_url("**/referrals/partner/")
    page.click(f"text={reference}")
    assert "Mohammad Zaman" in page.inner_text("#snapshot")
    page.select_option("#id_status", "accepted")
    page.click("#partner-actions button[type=submit]")
    page.wait_for_url("**/referrals/partner/*/")
    assert "Accepted" in page.inner_text("[data-testid=referral-status]")
    page.select_option("#id_status", "completed")
    page.select_option("#id_outcome", "registration_done")
    page.fill("#id_note", "Registered on 2021-09-12")
    page.click("#partner-actions button[type=submit]")
    page.wait_for_url("**/referrals/partner/*/")
    assert "Completed" in page.inner_text("[data-testid=referral-status]")
    _log_out(page)

    _log_in(page, server, "caseworker")
    page.wait_for_url("**/cases/")
    page.click("text=C-0000001")
    panel = page.inner_text("#referrals")
    assert reference in panel
    assert "Completed" in panel and "Resettlement registration done" in panel
    assert "In review" in page.inner_text(".status")  # no referral left open
