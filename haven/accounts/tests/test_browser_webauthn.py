"""A real Chromium with a virtual authenticator (Chrome DevTools' WebAuthn domain): a passkey
enrolled at the first log-in through haven/static/js/webauthn.js, then used to log in; and the
message a person sees when the browser finds no key for the account."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from haven.common.browser_testing import browser_test, chromium_page, free_port, haven_server

pytestmark = browser_test
PASSWORD = "browser-test-password-1"
# One account per test, so that either runs alone or first.
CREATE_USERS = (
    "from haven.accounts.models import Organization, User;"
    "org = Organization.objects.create(name='Task Force', kind='task_force');"
    "[User.objects.create_user(username=name, password='" + PASSWORD + "', role='caseworker',"
    " organization=org) for name in ('keyholder', 'forgetful')]"
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, migrated_database: Path) -> Iterator[str]:
    # Keys are bound to a host name, never an IP address: the browser opens localhost, and the
    # server is told that exact origin (port included).
    port = free_port()
    origin = f"http://localhost:{port}"
    with haven_server(
        tmp_path_factory.mktemp("var"),
        database=migrated_database,
        setup_python=CREATE_USERS,
        port=port,
        extra_env={"HAVEN_WEBAUTHN_RP_ID": "localhost", "HAVEN_WEBAUTHN_ORIGINS": origin},
    ):
        yield origin


@pytest.fixture
def page() -> Iterator[Any]:
    with chromium_page() as page:
        yield page


def virtual_authenticator(page: Any) -> tuple[Any, str]:
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return cdp, added["authenticatorId"]


def password_step(page: Any, server: str, username: str = "keyholder") -> None:
    page.goto(f"{server}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/accounts/two-factor/**")


def test_a_passkey_is_enrolled_at_the_first_log_in_and_logs_in_later(server, page):
    cdp, authenticator = virtual_authenticator(page)
    password_step(page, server)
    assert "/enrol/" in page.url
    page.fill("#id_key-name", "Laptop passkey")
    page.click("[data-webauthn-button]")
    page.wait_for_url("**/recovery-codes/")
    assert page.locator("[data-testid=recovery-codes] li").count() == 10
    page.click("text=continue")
    page.wait_for_url(lambda url: "/accounts/" not in url)
    stored = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})
    assert len(stored["credentials"]) == 1

    page.goto(f"{server}/accounts/two-factor/enrol/")
    assert "Laptop passkey" in page.inner_text("[data-testid=security-keys]")
    page.click("form[action$='/accounts/logout/'] button")
    page.wait_for_url("**/accounts/login/**")

    password_step(page, server)
    assert "/enrol/" not in page.url
    page.click("[data-webauthn-button]")
    page.wait_for_url(lambda url: "/accounts/" not in url)
    assert page.locator("text=Cases").first.is_visible()
    stored = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})
    assert stored["credentials"][0]["signCount"] >= 1


def enrol_passkey(page: Any, server: str, username: str, name: str) -> None:
    password_step(page, server, username)
    page.fill("#id_key-name", name)
    page.click("[data-webauthn-button]")
    page.wait_for_url("**/recovery-codes/")
    page.click("text=continue")
    page.wait_for_url(lambda url: "/accounts/" not in url)
    page.click("form[action$='/accounts/logout/'] button")
    page.wait_for_url("**/accounts/login/**")


def test_a_browser_without_the_key_says_so_and_the_page_stays(server, page):
    cdp, authenticator = virtual_authenticator(page)
    enrol_passkey(page, server, "forgetful", "Office passkey")
    # Another device: an authenticator that holds no key for the account. The browser refuses
    # as when a person cancels or the prompt times out.
    cdp.send("WebAuthn.removeVirtualAuthenticator", {"authenticatorId": authenticator})
    virtual_authenticator(page)
    password_step(page, server, "forgetful")
    assert "/enrol/" not in page.url
    page.click("[data-webauthn-button]")
    status = page.locator("[data-webauthn-status]")
    status.wait_for(state="visible")
    page.wait_for_function(
        "() => document.querySelector('[data-webauthn-status]').classList.contains('errorlist')"
    )
    assert "Nothing was done" in status.inner_text()
    assert "/accounts/two-factor/" in page.url
    assert page.locator("#id_code").is_visible()  # a code still works from here
