"""Screenshots of the security-key screens, English and Dari, 360 px and 1280 px.

    .venv/bin/python bench/accounts/screenshots_webauthn.py OUT_DIR

Starts its own server on a fresh SQLite database (haven.common.browser_testing), opened at
localhost (keys are bound to a host name), and drives Chromium with DevTools' virtual
authenticator: the first log-in's page, the recovery codes after a key, the page listing two
keys, verification with a key, the message when the browser has no key for the account, and
verification at an address keys are not set up for (where a recovery code gets in).
"""

from __future__ import annotations

import argparse
import re
import tempfile
from pathlib import Path
from typing import Any

from haven.common.browser_testing import chromium_page, free_port, haven_server

PASSWORD = "screenshot-password-1"
COMBOS = [(lang, width) for lang in ("en", "fa-af") for width in (360, 1280)]
USERS = [f"keys_{lang.replace('-', '_')}_{width}" for lang, width in COMBOS]
SETUP = (
    "from haven.accounts.models import Organization, User;"
    "org = Organization.objects.create(name='Task Force', kind='task_force');"
    f"[User.objects.create_user(username=n, password='{PASSWORD}', role='caseworker',"
    f" organization=org) for n in {USERS!r}]"
)


def authenticator(page: Any) -> tuple[Any, str]:
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


def log_in(page: Any, base: str, username: str, lang: str) -> None:
    page.goto(f"{base}/accounts/login/")
    if lang != "en" and page.get_attribute("html", "lang") != lang:
        with page.expect_navigation():
            page.select_option("#language-select", lang)
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/accounts/two-factor/**")


def add_key(page: Any, name: str) -> None:
    page.fill("#id_key-name", name)
    page.click("[data-webauthn-button]")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    out = Path(parser.parse_args().out)
    out.mkdir(parents=True, exist_ok=True)
    port = free_port()
    local = f"http://localhost:{port}"
    env = {"HAVEN_WEBAUTHN_RP_ID": "localhost", "HAVEN_WEBAUTHN_ORIGINS": local}
    with (
        tempfile.TemporaryDirectory() as var,
        haven_server(Path(var), setup_python=SETUP, port=port, extra_env=env) as by_ip,
    ):
        for (lang, width), user in zip(COMBOS, USERS, strict=True):

            def shot(page: Any, name: str, lang: str = lang, width: int = width) -> None:
                path = out / f"{name}-{lang}-{width}.png"
                page.screenshot(path=str(path), full_page=True)
                print(path)

            with chromium_page(viewport={"width": width, "height": 900}) as page:
                cdp, first = authenticator(page)
                log_in(page, local, user, lang)
                shot(page, "keys-first-log-in")
                add_key(page, "Blue key" if lang == "en" else "کلید آبی")
                page.wait_for_url("**/recovery-codes/")
                codes = re.findall(r"[a-z0-9]{5}-[a-z0-9]{5}", page.inner_text("#main"))
                shot(page, "keys-recovery-codes")
                # The second key on another authenticator (a browser refuses one key twice).
                cdp.send("WebAuthn.removeVirtualAuthenticator", {"authenticatorId": first})
                cdp, second = authenticator(page)
                page.goto(f"{local}/accounts/two-factor/enrol/")
                add_key(page, "Office laptop")
                # The same address again, after the reload: wait for the page's "added" message.
                page.locator(".messages li").wait_for()
                assert page.locator("[data-testid=security-keys] li").count() == 2
                shot(page, "keys-list")
                page.click("form[action$='/accounts/logout/'] button")
                page.wait_for_url("**/accounts/login/**")

                log_in(page, local, user, lang)
                shot(page, "keys-verify")
                page.click("[data-webauthn-button]")
                page.wait_for_url(lambda url: "/accounts/" not in url)
                page.click("form[action$='/accounts/logout/'] button")
                page.wait_for_url("**/accounts/login/**")
                log_in(page, local, user, lang)
                # Another device: its authenticator holds no key for this account.
                cdp.send("WebAuthn.removeVirtualAuthenticator", {"authenticatorId": second})
                authenticator(page)
                page.click("[data-webauthn-button]")
                page.wait_for_function(
                    "() => document.querySelector('[data-webauthn-status]')"
                    ".classList.contains('errorlist')"
                )
                shot(page, "keys-verify-no-key")

                # At the IP address keys cannot work: the page says where they do.
                log_in(page, by_ip, user, lang)
                shot(page, "keys-verify-other-address")
                page.fill("#id_code", codes[0])
                page.click("#main form button[type=submit]")
                page.wait_for_url(lambda url: "/accounts/" not in url)


if __name__ == "__main__":
    main()
