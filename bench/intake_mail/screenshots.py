"""Screenshots of the e-mail import screens (the upload page, a dry run, a finished import
with refused messages), in English and Dari, at 360 px and 1280 px.

    .venv/bin/python bench/intake_mail/screenshots.py [--out /work/team/shots/mail-upload]

The server has no task worker, so the setup runs the dry run and the import jobs itself;
the mailbox is synthetic (people made up for the screens).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from haven.common.browser_testing import chromium_page, haven_server, log_in

PASSWORD = "mail-screens-password-1"

SETUP = f"""
import io, tempfile, zipfile
from email.message import EmailMessage
from haven.accounts.models import Organization, User
from haven.intake.importing import mail_store, mail_upload, sealed_store
from haven.intake.importing.services import import_batch_create
from haven.intake.models import ImportBatch

org = Organization.objects.create(name="Task force", kind=Organization.Kind.TASK_FORCE)
user = User.objects.create_user(
    username="intake", password="{PASSWORD}", role="intake_officer", organization=org
)

def message(subject, body, mid, sender="writer@example.org", **headers):
    m = EmailMessage()
    m["From"] = sender
    m["Subject"] = subject
    m["Date"] = "Tue, 24 Aug 2021 09:30:00 +0430"
    m["Message-ID"] = mid
    for k, v in headers.items():
        m[k.replace("_", "-")] = v
    m.set_content(body)
    return m.as_bytes()

MESSAGES = [
    message("Nilab Sadiqi 23/12/1982", "Name: Nilab Sadiqi\\nDate of birth: 23/12/1982\\n"
            "Family member 1: Omid Sadiqi, son, 2012\\nFamily member 2: Laila Sadiqi, daughter, 2015\\n",
            "<s1@example.org>", "Nilab Sadiqi <nilab@example.org>"),
    message("کمک", "نام: احمد شاه نوری\\nتاریخ تولد: 1365\\nنام پدر: گل احمد\\n", "<s2@example.org>",
            "Ahmad Shah <ahmad@example.org>"),
    message("Help please", "Please help my family, we are 3 children and my wife.", "<s3@example.org>"),
    message("درخواست کمک", "سلام، نام من احمد ولی فرزند غلام سخی است، متولد ۱۳۶۰.\\n"
            "عضو اول خانواده: فریبا، همسر، ۱۳۶۴\\nعضو دوم خانواده\\nنام: مریم\\nنسبت: دختر\\n"
            "نفر سوم: امید ۱۳۹۲\\n", "<s8@example.org>", "Ahmad Wali <wali@example.org>"),
    message("Re: Nilab Sadiqi 23/12/1982", "We are still waiting for an answer.", "<s4@example.org>",
            "Nilab Sadiqi <nilab@example.org>", In_Reply_To="<s1@example.org>"),
    message("Nilab Sadiqi 23/12/1982", "Name: Nilab Sadiqi\\nDate of birth: 23/12/1982\\n",
            "<s1@example.org>", "Nilab Sadiqi <nilab@example.org>"),
    b"From: a@example.org\\r\\nSubject: Karim Popal 1984\\r\\nMessage-ID: <s6@example.org>\\r\\n"
    b"Content-Type: text/plain; charset=x-no-such-charset\\r\\n\\r\\nName: Karim Popal\\r\\n\\xff\\xfe\\r\\n",
]

def batch_of(name, files):
    with tempfile.TemporaryFile() as packed:
        mail_store.pack([(n, io.BytesIO(d)) for n, d in files], packed)
        stored = sealed_store.seal(packed, directory=mail_store.UPLOAD_DIR)
    return import_batch_create(
        organization=None, kind=ImportBatch.Kind.EMAIL, file_name=name, file_sha256="",
        file_size=0, actor=user, file_format=files[0][0].rsplit(".", 1)[-1],
        stored_path=stored, status=ImportBatch.Status.PREVIEWING,
    )

mbox = b"".join(b"From writer@example.org Tue Aug 24 09:30:00 2021\\n" + m + b"\\n" for m in MESSAGES)
done = batch_of("visa-inbox-august.mbox", [("visa-inbox-august.mbox", mbox)])
mail_upload.run_mail_preview(done.pk)
mail_upload.run_mail_import(done.pk)

out = io.BytesIO()
with zipfile.ZipFile(out, "w") as z:
    for i, m in enumerate(MESSAGES):
        z.writestr(f"Maildir/cur/16300000{{i}}.host:2,S", m)
    z.writestr("Maildir/new/16300009.host", b"")
    z.writestr("Maildir/new/16300010.host", message("Wali Hotak 1975", "Name: Wali Hotak", "<s7@example.org>"))
previewed = batch_of("office-maildir.zip", [("office-maildir.zip", out.getvalue())])
mail_upload.run_mail_preview(previewed.pk)
print(done.pk, previewed.pk)
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="/work/team/shots/mail-upload")
    out = Path(parser.parse_args().out)
    out.mkdir(parents=True, exist_ok=True)
    shots = [
        ("mail-upload", "/intake/import/mail/"),
        ("mail-done", "/intake/import/mail/1/"),
        ("mail-dry-run", "/intake/import/mail/2/"),
    ]
    with tempfile.TemporaryDirectory() as var, haven_server(Path(var), setup_python=SETUP) as url:
        for width in (360, 1280):
            for language in ("en", "fa-af"):
                with chromium_page(viewport={"width": width, "height": 900}) as page:
                    log_in(page, url, "intake", PASSWORD)
                    page.wait_for_load_state()
                    if language != "en":
                        with page.expect_navigation():
                            page.select_option("#language-select", language)
                    for name, path in shots:
                        page.goto(url + path)
                        target = out / f"{name}-{language}-{width}.png"
                        page.screenshot(path=str(target), full_page=True)
                        print(target)


if __name__ == "__main__":
    main()
