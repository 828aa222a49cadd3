"""Django's createsuperuser makes an account Haven's roles know nothing of: refused here."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Refused: use `haven user create --username U --role admin --org ORG` instead."

    def add_arguments(self, parser: Any) -> None:
        # Accept (and ignore) Django's own options so scripts get the message, not a usage error.
        parser.add_argument("--username")
        parser.add_argument("--email")
        parser.add_argument("--noinput", "--no-input", action="store_true")
        parser.add_argument("--database")

    def handle(self, *args: Any, **options: Any) -> None:
        raise CommandError(
            "Haven accounts have a role and an organisation, and pass a second factor: "
            "create the first administrator with\n"
            '  haven user create --username U --role admin --org "Task Force" [--email E]\n'
            "and open the one-time link it prints."
        )
