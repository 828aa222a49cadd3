"""`haven stats`: the desk's size as one JSON object, for scripts and benchmarks."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand

from haven.reports.selectors import desk_counts


class Command(BaseCommand):
    help = 'Print {"requests", "person_records", "people", "cases"} counts as JSON.'

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(json.dumps(desk_counts()))
