"""`haven intake-drain`: run the intake pipeline for every pending request, now.

The REST API and the public form store a request and answer at once; the background
worker (`haven db_worker`) then matches it, attaches it to a case and triages it. An
operator without a worker runs this instead, by hand or from cron.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from haven.intake.services import requests_pending_drain


class Command(BaseCommand):
    help = "Run resolution, cases and triage for every request still waiting for them."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        done = requests_pending_drain()
        self.stdout.write(
            ngettext(
                "Processed %(count)d pending request in %(seconds).1f s.",
                "Processed %(count)d pending requests in %(seconds).1f s.",
                done,
            )
            % {"count": done, "seconds": time.monotonic() - started}
        )
