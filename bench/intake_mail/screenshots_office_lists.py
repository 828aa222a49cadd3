"""Screenshots of an office's list of families after e-mail import: the data-entry queue with
its flags, one family's data-entry page (which family, its lines, why), the original's page
of a split family, in English and Dari, at 360 px and 1280 px.

    .venv/bin/python bench/intake_mail/screenshots_office_lists.py [--out /work/team/shots/mail-office-lists]
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
import mailbox, tempfile
from email.message import EmailMessage
from pathlib import Path
from haven.accounts.models import Organization, User
from haven.intake.importing.mailimport import mail_import
from haven.intake.models import MailMessagePart
tf = Organization.objects.create(name="Task Force", kind="task_force")
User.objects.create_user(username="officer", password={PASSWORD!r}, role="intake_officer",
                         organization=tf, first_name="Laila")
bodies = {{
    "<split@x>": "Please assist the following 2 families:\\n"
        "Family 1: Ahmad Safi, 1980, wife Laila Safi 1985, sons Omid 2010 and Farid 2012\\n"
        "Family 2: Wali Wardak, 1977. He has 3 children.\\n",
    "<count@x>": "Please assist the following 12 families:\\n"
        + "\\n".join(f"Family {{i}}: Person{{chr(64 + i)}} Safi, {{1970 + i}}" for i in range(1, 11)),
    "<fa@x>": "لطفاً به ۳ خانواده های ذیل کمک کنید:\\nخانواده ۱: احمد صافی، ۱۳۵۹\\n"
        "خانواده ۲: ولی وردک، ۱۳۵۶\\n",
}}
folder = Path(tempfile.mkdtemp())
box = mailbox.mbox(folder / "inbox.mbox")
for message_id, body in bodies.items():
    msg = EmailMessage()
    msg["From"] = "Assistance Desk <desk@office.example>"
    msg["Subject"] = "Fwd: families to assist"
    msg["Date"] = "Tue, 24 Aug 2021 09:30:00 +0430"
    msg["Message-ID"] = message_id
    msg.set_content(body)
    box.add(msg)
box.flush()
mail_import(path=folder / "inbox.mbox", actor=None)
second = MailMessagePart.objects.get(position=2, request__needs_data_entry=True)
print("SECOND", second.request_id, second.request.receipt_number)
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="/work/team/shots/mail-office-lists")
    out = Path(parser.parse_args().out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as var:
        pk, receipt = _prepare(Path(var))
        shots = [
            ("data-entry-queue", "/cases/data-entry/", "#data-entry-queue"),
            ("data-entry-family", f"/cases/data-entry/{pk}/", "#original"),
            ("original-family", f"/intake/import/requests/{receipt}/original/", ""),
        ]
        with haven_server(Path(var)) as url:
            _shoot(url, out, shots)


def _prepare(var: Path) -> tuple[str, str]:
    env = {**os.environ, "HAVEN_VAR_DIR": str(var), "HAVEN_DEBUG": "1"}
    env.pop("DATABASE_URL", None)
    haven = [sys.executable, "-m", "haven.cli"]
    root = Path(__file__).resolve().parents[2]
    subprocess.run([*haven, "migrate", "-v0"], cwd=root, env=env, check=True, timeout=900)
    done = subprocess.run(
        [*haven, "shell", "-c", SETUP],
        cwd=root,
        env=env,
        check=True,
        timeout=900,
        capture_output=True,
        text=True,
    )
    line = next(x for x in done.stdout.splitlines() if x.startswith("SECOND "))
    _tag, pk, receipt = line.split()
    return pk, receipt


def _shoot(url: str, out: Path, shots: list[tuple[str, str, str]]) -> None:
    for width in (360, 1280):
        for language in ("en", "fa-af"):
            with chromium_page(viewport={"width": width, "height": 900}) as page:
                log_in(page, url, "officer", PASSWORD)
                page.wait_for_load_state()
                if language != "en":
                    with page.expect_navigation():
                        page.select_option("#language-select", language)
                for name, path, part in shots:
                    page.goto(url + path)
                    target = out / f"{name}-{language}-{width}.png"
                    if part:
                        page.locator(part).screenshot(path=str(target))
                    else:
                        page.screenshot(path=str(target), full_page=True)
                    print(target)


if __name__ == "__main__":
    main()
