"""Screenshots of the referral screens (the workspace, a referral as the partner sees it, the
referral form, the case panel), in English and Dari, at 360 px and 1280 px.

    .venv/bin/python bench/referrals/screenshots.py [--out /work/team/shots/referrals]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from haven.common.browser_testing import chromium_page, haven_server, log_in

PASSWORD = "browser-test-password-1"  # as in haven/referrals/tests/browser_setup.py

SETUP = (
    "from haven.referrals.tests.browser_setup import setup; setup(cases=3)\n"
    "from haven.accounts.models import User, Organization\n"
    "from haven.cases.models import Case\n"
    "from haven.referrals.models import Service\n"
    "from haven.referrals.services import referral_create, referral_message_post\n"
    "cw = User.objects.get(username='caseworker'); org = Organization.objects.get(name='UNHCR Pakistan')\n"
    "for case in Case.objects.order_by('pk')[1:]:\n"
    "    r = referral_create(case=case, actor=cw, organization=org, service=Service.objects.get(kind='protection'), reason='Protection assessment: woman at risk, needs registration', urgency='urgent')\n"
    "referral_message_post(referral=r, body='Is the phone number still current?', from_partner=True, author=User.objects.get(username='partner'))\n"
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="/work/team/shots/referrals")
    out = Path(parser.parse_args().out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as var, haven_server(Path(var), setup_python=SETUP) as url:
        for width in (360, 1280):
            for language in ("en", "fa-af"):
                with chromium_page(viewport={"width": width, "height": 900}) as page:
                    for user, shots in (
                        (
                            "partner",
                            [
                                ("workspace", "/referrals/partner/"),
                                ("workspace-referral", "/referrals/partner/2/"),
                            ],
                        ),
                        (
                            "caseworker",
                            [
                                ("referral-form", "/referrals/cases/1/new/"),
                                ("case-panel", "/cases/2/#referrals"),
                            ],
                        ),
                    ):
                        page.context.clear_cookies()
                        log_in(page, url, user, PASSWORD)
                        page.wait_for_load_state()
                        if language != "en":
                            with page.expect_navigation():
                                page.select_option("#language-select", language)
                        for name, path in shots:
                            page.goto(url + path)
                            target = out / f"{name}-{language}-{width}.png"
                            if name == "case-panel":
                                page.locator("#referrals").screenshot(path=str(target))
                            else:
                                page.screenshot(path=str(target), full_page=True)
                            print(target)


if __name__ == "__main__":
    main()
