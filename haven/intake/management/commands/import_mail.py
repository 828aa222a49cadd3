"""`haven import-mail PATH [--json]`: import e-mail from an .eml file, an mbox file or a Maildir.
`haven import-mail --imap [--json]`: poll the configured IMAP mailbox once, read-only
(HAVEN_IMAP_HOST and friends; `haven tick` does this every minute when it is configured).

Each message becomes a request (parsed where possible, "needs data entry" otherwise),
with the message kept verbatim; a message whose Message-ID was imported before is
skipped, so running it again over the same mailbox creates nothing twice. With --json
the last line on stdout is {"messages": N, "imported": N, "rejected": N, "skipped": N}.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, TextIO, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser

from haven.accounts import permissions
from haven.accounts.models import User
from haven.intake.importing.errors import ImportFileError
from haven.intake.importing.imap import imap_poll
from haven.intake.importing.mailimport import mail_import
from haven.intake.importing.progress import ProgressBar


class Command(BaseCommand):
    help = "Import e-mail (an .eml file, an mbox file, a Maildir, or a folder of .eml files)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", help="the .eml file, mbox file or Maildir folder")
        parser.add_argument(
            "--imap", action="store_true", help="poll the configured IMAP mailbox instead"
        )
        parser.add_argument("--json", action="store_true", help="end with a JSON line of counts")
        parser.add_argument("--user", help="the staff account the import is recorded under")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = None
        if options["user"]:
            actor = User.objects.filter(username=options["user"]).first()
            if actor is None or not permissions.can_enter_requests(actor):
                raise CommandError(f"“{options['user']}” may not enter requests.")
        if options["imap"] == bool(options["path"]):
            raise CommandError("Give a path to a mailbox, or --imap, not both or neither.")
        bar = ProgressBar(cast(TextIO, self.stderr._out), "Importing mail", unit="messages")
        try:
            if options["imap"]:
                batch, counts = imap_poll(actor=actor)
            else:
                batch, counts = mail_import(
                    path=Path(options["path"]),
                    actor=actor,
                    # Parsing in a second process pays on more than one core.
                    parse_ahead=(os.cpu_count() or 1) > 1,
                    progress=lambda b, fraction: bar.update(b.rows, fraction),
                )
        except ImportFileError as exc:
            raise CommandError(exc.message) from exc
        bar.finish(counts.rows)
        if batch.status == batch.Status.FAILED:
            self.stderr.write(f"Import {batch.pk} stopped: {batch.error}")
        self.stdout.write(
            f"Import {batch.pk}: {counts.rows:,} messages: {counts.imported:,} imported, "
            f"{counts.rejected:,} rejected, {counts.skipped:,} skipped as already imported."
        )
        if options["json"]:
            summary = {"messages": counts.rows, **counts.as_dict()}
            del summary["rows"]
            self.stdout.write(json.dumps(summary))
