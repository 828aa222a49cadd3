"""`haven notify`: a bulk notice from the command line, as the web page does it.

    haven notify --template general_notice (--pathway P | --status S | --saved-search NAME)
        --as supervisor [--dry-run] [--json]

--saved-search names one of the sender's saved case searches (the case list's "Save this
search"): the requesters of the cases it shows now.

Above HAVEN_NOTICE_APPROVAL_ABOVE recipients the notice waits for a second supervisor, who
approves it on the web page or with `haven notify --approve ID --as OTHER`. With --json the last
line is exactly {"queued": N, "excluded_opted_out": N, "excluded_no_contact": N,
"already_sent": N} (with --dry-run: what would be queued).
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from haven.accounts.models import User
from haven.cases.saved_searches import saved_search_choices
from haven.communications import notices
from haven.communications.texts import PURPOSES


class Command(BaseCommand):
    help = "Send a bulk notice to requesters by pathway or status (or approve one)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--template", choices=sorted(PURPOSES))
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--pathway", default="")
        group.add_argument("--status", default="")
        group.add_argument(
            "--saved-search", default="", help="the name of a saved case search of the sender"
        )
        parser.add_argument("--channel", default="", choices=["", "email", "sms"])
        parser.add_argument("--as", dest="username", required=True, help="the supervisor sending")
        parser.add_argument("--approve", type=int, help="approve this notice (another supervisor)")
        parser.add_argument("--dry-run", action="store_true", help="preview only, send nothing")
        parser.add_argument("--json", action="store_true", help="end with the counts as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {options['username']!r}.")
        try:
            summary = self._run(user, options)
        except PermissionDenied as exc:
            raise CommandError(f"{user.username} may not send notices (supervisors may).") from exc
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        if options["json"]:
            self.stdout.write(json.dumps(summary))

    def _saved_search(self, user: User, name: str) -> int:
        if not name:
            return 0
        for pk, saved_name in saved_search_choices(owner=user):
            if saved_name.casefold() == name.strip().casefold():
                return int(pk)
        raise CommandError(f"{user.username} has no saved search named {name!r}.")

    def _run(self, user: User, options: dict[str, Any]) -> dict[str, int]:
        if options["approve"]:
            notice, result = notices.notice_approve(notice_id=options["approve"], user=user)
            self.stdout.write(f"Notice {notice.pk} approved: {result.queued} queued.")
            return result.summary()
        chosen = options["pathway"] or options["status"] or options["saved_search"]
        if not options["template"] or not chosen:
            raise CommandError("Give --template and one of --pathway, --status or --saved-search.")
        filters = notices.NoticeFilters(
            pathway=options["pathway"],
            status=options["status"],
            channel=options["channel"],
            saved_search=self._saved_search(user, options["saved_search"]),
        )
        preview = notices.notice_preview(user=user, purpose=options["template"], filters=filters)
        result = preview.result
        self.stdout.write(
            f"{preview.requests} requests; would queue {result.queued} "
            f"({', '.join(f'{k}: {v}' for k, v in sorted(result.by_channel.items())) or 'none'}); "
            f"opted out {result.excluded_opted_out}, no contact {result.excluded_no_contact}, "
            f"invalid {result.excluded_invalid}, already sent {result.already_sent}, "
            f"shared address {result.shared_address}."
        )
        for sample in preview.samples:
            note = " (no text in this language: English)" if sample.fell_back else ""
            self.stdout.write(f"[{sample.language}{note}] {sample.subject}")
        if options["dry_run"]:
            return result.summary()  # what would be queued: nothing is

        notice, queued = notices.notice_create(
            user=user, purpose=options["template"], filters=filters
        )
        if queued is None:
            self.stdout.write(
                f"Notice {notice.pk} goes to {notice.recipients_expected} people: a second "
                f"supervisor must approve it (haven notify --approve {notice.pk} --as OTHER)."
            )
            return {**result.summary(), "queued": 0}
        self.stdout.write(f"Notice {notice.pk}: {queued.queued} queued.")
        return queued.summary()
