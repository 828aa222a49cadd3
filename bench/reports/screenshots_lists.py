"""Screenshots of the lists behind the dashboard's referral and message figures (and the
dashboard with its charts loaded after the page), English and Dari, 360 px and 1280 px.

    .venv/bin/python bench/reports/screenshots_lists.py [--out /work/team/shots/reports-lists]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from haven.common.browser_testing import chromium_page, haven_server, log_in

PASSWORD = "browser-test-password-1"

SETUP = f"""
import datetime as dt
from django.utils import timezone
from haven.accounts.models import Organization, User
from haven.communications.models import Message
from haven.common.crypto import keyed_hash
from haven.referrals.bulk import referrals_send_many
from haven.referrals.models import Referral
from haven.referrals.tests.factories import make_case, partner_directory
tf = Organization.objects.create(name="Task Force", kind="task_force")
sup = User.objects.create_user(username="supervisor", password={PASSWORD!r}, role="supervisor",
                               organization=tf)
unhcr = Organization.objects.create(name="UNHCR Pakistan", kind="partner", category="un_agency")
aid = Organization.objects.create(name="کمک حقوقی پشاور", kind="partner", category="ngo")
protection = partner_directory(unhcr)
legal = partner_directory(aid, kind="legal_aid")
names = ["Mohammad Zaman", "Din Mohammad", "Zabihullah", "Gul Ahmad", "Fatima", "Nasrin"]
cases = [make_case(consent_version="2021-08", given_name=n) for n in names]
referrals_send_many(case_ids=[c.pk for c in cases], organization=unhcr, service=protection,
                    actor=sup, reason="Resettlement assessment")
referrals_send_many(case_ids=[c.pk for c in cases[:3]], organization=aid, service=legal,
                    actor=sup, reason="Legal aid")
ids = list(Referral.objects.filter(organization=unhcr).order_by("pk").values_list("pk", flat=True))
Referral.objects.filter(pk__in=ids[:2]).update(overdue=True)
Referral.objects.filter(pk=ids[2]).update(status="accepted")
Referral.objects.filter(pk=ids[3]).update(status="completed")
for i, (channel, status) in enumerate([("sms", "sent"), ("sms", "failed"), ("email", "delivered"),
                                       ("email", "sent"), ("sms", "sent"), ("sms", "failed")]):
    Message.objects.create(purpose="status_changed" if i % 2 else "documents_needed",
                           language="fa-af", channel=channel, recipient="+93700000000",
                           recipient_hash=keyed_hash(channel, str(i)), body="synthetic",
                           status=status, not_before=timezone.now(), attempts=1 + i % 3,
                           case=cases[i])
"""

SHOTS = [
    ("referral-list", "/referrals/list/", "#referral-list"),
    ("referral-list-figure", "/referrals/list/?partner=2&overdue=1", "#referral-list"),
    ("message-list", "/communications/messages/?channel=sms&status=failed", "#message-list"),
    ("dashboard", "/reports/", ".chart svg"),
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="/work/team/shots/reports-lists")
    out = Path(parser.parse_args().out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as var:
        _prepare(Path(var))
        with haven_server(Path(var)) as url:
            _shoot(url, out)


def _prepare(var: Path) -> None:
    env = {**os.environ, "HAVEN_VAR_DIR": str(var), "HAVEN_DEBUG": "1"}
    env.pop("DATABASE_URL", None)
    haven = [sys.executable, "-m", "haven.cli"]
    root = Path(__file__).resolve().parents[2]
    subprocess.run([*haven, "migrate", "-v0"], cwd=root, env=env, check=True, timeout=900)
    subprocess.run([*haven, "shell", "-c", SETUP], cwd=root, env=env, check=True, timeout=900)


def _shoot(url: str, out: Path) -> None:
    for width in (360, 1280):
        for language in ("en", "fa-af"):
            with chromium_page(viewport={"width": width, "height": 900}) as page:
                log_in(page, url, "supervisor", PASSWORD)
                page.wait_for_load_state()
                if language != "en":
                    with page.expect_navigation():
                        page.select_option("#language-select", language)
                for name, path, ready in SHOTS:
                    page.goto(url + path)
                    # The dashboard's charts come after the page: wait for them to be drawn.
                    page.wait_for_selector(ready, timeout=60_000)
                    page.wait_for_load_state("networkidle")
                    target = out / f"{name}-{language}-{width}.png"
                    page.screenshot(path=str(target), full_page=True)
                    print(target)


if __name__ == "__main__":
    main()
