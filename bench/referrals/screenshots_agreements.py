"""Screenshots of the data-sharing agreements screen (the list, a partner's agreement, the
form with its error messages) and of the bulk page with the guidance's default partner, in
English and Dari, at 360 px and 1280 px.

    .venv/bin/python bench/referrals/screenshots_agreements.py [--out /work/team/shots/referrals]
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
    "from haven.referrals.services import agreement_set\n"
    "from haven.triage import library, services as triage\n"
    "from haven.triage.models import GuidanceVersion\n"
    "tf = Organization.objects.get(name='Task Force')\n"
    f"User.objects.create_user(username='supervisor', password='{PASSWORD}', role='supervisor',"
    " organization=tf)\n"
    "iom = Organization.objects.create(name='IOM Pakistan', kind='partner', category='IOM')\n"
    "Organization.objects.create(name='Safe Passage NGO', kind='partner', category='NGO')\n"
    "agreement_set(organization=iom, actor=None, fields=['names', 'sex', 'year_of_birth'],"
    " delivery='off_haven', contact_email='referrals@iom-pakistan.example',"
    " code_email='codes@iom-pakistan.example', passphrase='an agreed passphrase')\n"
    # The shipped pack in force (names UNHCR Pakistan, protection for refer_unhcr).
    "v = triage.guidance_store(pack=library.find('us-afghan-2021@2'), actor=None)\n"
    "GuidanceVersion.objects.filter(pk=v.pk).update(status='active')\n"
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
                    log_in(page, url, "supervisor", PASSWORD)
                    page.wait_for_load_state()
                    if language != "en":
                        with page.expect_navigation():
                            page.select_option("#language-select", language)
                    for name, path in (
                        ("agreements", "/referrals/agreements/"),
                        ("agreement-iom", "/referrals/agreements/3/"),
                        ("bulk-default", "/referrals/bulk/?pathway=refer_unhcr"),
                    ):
                        page.goto(url + path)
                        target = out / f"{name}-{language}-{width}.png"
                        page.screenshot(path=str(target), full_page=True)
                        print(target)
                    # The form's messages: an off-Haven partner without a contact, no fields.
                    page.goto(url + "/referrals/agreements/4/")
                    page.check("input[name=delivery][value=off_haven]")
                    page.fill("#id_routine_acknowledge_hours", "0")
                    page.fill("#id_code_email", "not an address")
                    with page.expect_navigation():
                        page.click("#agreement-form button[type=submit]")
                    target = out / f"agreement-errors-{language}-{width}.png"
                    page.screenshot(path=str(target), full_page=True)
                    print(target)


if __name__ == "__main__":
    main()
