"""Screenshots of the eligibility questions on the public form (with "yes" chosen, so that the
follow-up questions show) and of a household import's dry run, in English and Dari, at 360 px
and 1280 px.

    .venv/bin/python bench/intake_forms/screenshots.py [--out /work/team/shots/intake-sheets]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from haven.common.browser_testing import chromium_page, haven_server

SETUP = (
    "from haven.triage import library, services\n"
    "from haven.accounts.models import User\n"
    "sup = User.objects.create_user(username='sup', password='x-screens-1', role='supervisor')\n"
    "v = services.guidance_store(pack=library.find('us-afghan-2021@2'), actor=sup)\n"
    "services.guidance_activate(version=v, actor=sup, reason='screenshots')\n"
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="/work/team/shots/intake-sheets")
    out = Path(parser.parse_args().out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as var, haven_server(Path(var), setup_python=SETUP) as url:
        for width in (360, 1280):
            for language in ("en", "fa-af"):
                headers = {"Accept-Language": language}
                with chromium_page(
                    viewport={"width": width, "height": 900}, extra_http_headers=headers
                ) as page:
                    page.goto(f"{url}/apply/")
                    page.locator("#eligibility").scroll_into_view_if_needed()
                    page.locator("#eligibility").screenshot(
                        path=str(out / f"eligibility-unanswered-{language}-{width}.png")
                    )
                    page.check("input[name='eligibility-worked_for_us'][value='yes']")
                    page.locator("#eligibility").screenshot(
                        path=str(out / f"eligibility-yes-{language}-{width}.png")
                    )
    print(f"screenshots in {out}")


if __name__ == "__main__":
    main()
