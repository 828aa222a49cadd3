"""`haven stats`: the desk's size as one JSON object, for scripts and benchmarks.

Requests waiting for the background pipeline are also said in words on stderr, so stdout
stays one JSON object.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand

from haven.intake.selectors import pending_intake
from haven.reports.selectors import desk_counts


class Command(BaseCommand):
    help = (
        'Print {"requests", "requests_pending", "person_records", "people", "cases"} counts '
        "as JSON."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(json.dumps(desk_counts()))
        pending = pending_intake()
        for line in (pending.summary(), pending.warning()):
            if line:
                self.stderr.write(line)
