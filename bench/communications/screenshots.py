"""Screenshots of the template preview and the bulk-notice preview, English and Dari,
at 360 px and 1280 px, into the folder given (default /work/team/shots/communications).

    .venv/bin/python bench/communications/screenshots.py [OUT_DIR]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from haven.common.browser_testing import chromium_page, haven_server, log_in  # noqa: E402

PASSWORD = "correct horse battery staple"
SETUP = f"""
from haven.accounts.models import Role, User
from haven.communications.tests.helpers import make_requester
User.objects.create_user(username="supervisor", password="{PASSWORD}", role=Role.SUPERVISOR)
for i, (lang, contact) in enumerate([("fa-af", dict(email="a@example.org")),
        ("ps", dict(phone="+93 700 111 222")), ("en", dict(phone="+93 700 111 333")),
        ("fa-af", dict(phone="12")), ("en", dict())]):
    make_requester(language=lang, given_name=f"Person{{i}}", index=i, **contact)
"""
PAGES = {
    "template-preview": "/communications/templates/documents_needed/{lang}/",
    "notice-preview": "/communications/notices/new/?purpose=general_notice&status=received",
}


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "/work/team/shots/communications")
    out.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory() as var_dir,
        haven_server(Path(var_dir), setup_python=SETUP) as server,
    ):
        for lang in ("en", "fa-af"):
            for width in (360, 1280):
                with chromium_page(viewport={"width": width, "height": 900}) as page:
                    # Through the second factor, as every staff log-in (enrols the first time).
                    log_in(page, server, "supervisor", PASSWORD)
                    page.context.add_cookies(
                        [{"name": "django_language", "value": lang, "url": server}]
                    )
                    for name, path in PAGES.items():
                        page.goto(server + path.format(lang=lang))
                        target = out / f"{name}-{lang}-{width}.png"
                        page.screenshot(path=str(target), full_page=True)
                        print(target)


if __name__ == "__main__":
    main()
