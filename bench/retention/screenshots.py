"""Screenshots of the legal-hold panel on the case page (no hold, then held), English and
Dari, at 360 px and 1280 px, into the folder given (default /work/team/shots/retention).

    .venv/bin/python bench/retention/screenshots.py [OUT_DIR]
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
from haven.cases.models import Case
from haven.communications.tests.helpers import make_requester
from haven.retention.services import legal_hold_set
boss = User.objects.create_user(username="supervisor", password="{PASSWORD}", role=Role.SUPERVISOR)
free = make_requester(given_name="Person1", index=1)
held = make_requester(given_name="Person2", index=2)
case = Case.objects.get(case_requests__request=held)
legal_hold_set(case=case, actor=boss, reason="Inquiry 2024/7 asks to keep this case")
"""


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "/work/team/shots/retention")
    out.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory() as var_dir,
        haven_server(Path(var_dir), setup_python=SETUP) as server,
    ):
        for lang in ("en", "fa-af"):
            for width in (360, 1280):
                with chromium_page(viewport={"width": width, "height": 900}) as page:
                    log_in(page, server, "supervisor", PASSWORD)
                    page.context.add_cookies(
                        [{"name": "django_language", "value": lang, "url": server}]
                    )
                    for name, case_id in (("no-hold", 1), ("held", 2)):
                        page.goto(f"{server}/cases/{case_id}/")
                        panel = page.locator(".legal-hold-panel")
                        panel.scroll_into_view_if_needed()
                        target = out / f"legal-hold-{name}-{lang}-{width}.png"
                        page.screenshot(path=str(target), full_page=False)
                        print(target)


if __name__ == "__main__":
    main()
