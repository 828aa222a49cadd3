"""`haven import FILE --source ORG [--mapping FILE] [--dry-run] [--yes] [--json]`.

Imports a CSV or XLSX list sent by a source organisation. Without --yes it shows
the dry run first and asks. Run it again after a crash: it resumes where it stopped.
With --json the last line on stdout is {"rows": N, "imported": N, "rejected": N, "skipped": N}.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import IO, Any, TextIO, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser

from haven.accounts import permissions
from haven.accounts.models import Organization, User
from haven.accounts.services import organization_ensure
from haven.intake.importing import selectors
from haven.intake.importing.errors import ImportFileError
from haven.intake.importing.preview import Preview, preview_rows
from haven.intake.importing.progress import ProgressBar
from haven.intake.importing.rows import PROBLEM_LABELS
from haven.intake.importing.services import Counts, import_batch_create, import_rows
from haven.intake.importing.source import (
    OpenedSheet,
    file_digest,
    open_sheet,
    read_mapping_file,
)
from haven.intake.models import ImportBatch
from haven.intake.selectors import pending_intake


class Command(BaseCommand):
    # The site's system checks import every URL module (a second or more): an import run from
    # a script or cron gains nothing from them; `haven check` and the server still run them.
    requires_system_checks: list[str] = []
    help = "Import a CSV or XLSX list of requests from a source organisation."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the CSV or XLSX file")
        parser.add_argument("--source", required=True, help="the sending organisation's name")
        parser.add_argument("--mapping", help='JSON file: {"column header": "field", …}')
        parser.add_argument("--dry-run", action="store_true", help="check only; write nothing")
        parser.add_argument("--yes", action="store_true", help="import without asking")
        parser.add_argument("--json", action="store_true", help="end with a JSON line of counts")
        parser.add_argument(
            "--create-source", action="store_true", help="create the organisation if it is new"
        )
        parser.add_argument("--user", help="the staff account the import is recorded under")
        parser.add_argument(
            "--match-now",
            action="store_true",
            help="match, attach and triage each chunk before going on (slower); by default "
            "the background worker does it after the rows are stored",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        organization = self._organization(options["source"], options["create_source"])
        actor = self._actor(options["user"])
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        explicit = read_mapping_file(options["mapping"]) if options["mapping"] else None
        with path.open("rb") as fileobj:
            try:
                counts = self._run(fileobj, path.name, organization, actor, explicit, options)
            except ImportFileError as exc:
                raise CommandError(exc.message) from exc
        if options["json"]:
            self.stdout.write(json.dumps(counts.as_dict()))

    def _organization(self, name: str, create: bool) -> Organization:
        found = Organization.objects.filter(name__iexact=name.strip()).first()
        if found is not None:
            return found
        if create:
            return organization_ensure(name=name, kind=Organization.Kind.REQUESTING_BODY)
        known = ", ".join(Organization.objects.values_list("name", flat=True)[:20])
        raise CommandError(
            f"No organisation named “{name}”. Known: {known or 'none'}. "
            "Use --create-source to add it."
        )

    def _actor(self, username: str | None) -> User | None:
        if not username:
            return None
        user = User.objects.filter(username=username).first()
        if user is None or not permissions.can_enter_requests(user):
            raise CommandError(f"“{username}” is not a staff account that may enter requests.")
        return user

    def _run(
        self,
        fileobj: IO[bytes],
        name: str,
        organization: Organization,
        actor: User | None,
        explicit: dict[str, str] | None,
        options: dict[str, Any],
    ) -> Counts:
        sha256, size = file_digest(fileobj)
        resumable = selectors.import_batch_resumable(organization=organization, file_sha256=sha256)
        mapping = list(resumable.mapping) if resumable is not None else None
        opened = open_sheet(fileobj, organization=organization, explicit=explicit, mapping=mapping)
        self._describe(opened, name, organization)
        if options["dry_run"] or not options["yes"]:
            preview = self._preview(opened, organization)
            if options["dry_run"]:
                return Counts(preview.rows, preview.to_import, preview.rejected, preview.skipped)
            self._confirm(preview)
            fileobj.seek(0)
            opened = open_sheet(
                fileobj, organization=organization, explicit=explicit, mapping=opened.mapping
            )
        if resumable is not None:
            batch = resumable
            self.stdout.write(f"Resuming import {batch.pk} after row {batch.rows:,}.")
        else:
            batch = import_batch_create(
                organization=organization,
                file_name=name,
                file_sha256=sha256,
                file_size=size,
                actor=actor,
                file_format=opened.sheet.table.format,
                sheet_name=opened.sheet.table.sheet_name,
                header_row=opened.sheet.header_row,
                headers=opened.sheet.headers,
                mapping=opened.mapping,
                status=ImportBatch.Status.QUEUED,
            )
        bar = ProgressBar(cast(TextIO, self.stderr._out), "Importing")
        counts = import_rows(
            batch=batch,
            sheet=opened.sheet,
            parser=opened.parser(organization),
            actor=actor,
            progress=lambda b, fraction: bar.update(b.rows, fraction),
            run_pipeline=options["match_now"],
        )
        bar.finish(counts.rows)
        self.stdout.write(
            f"Import {batch.pk}: {counts.rows:,} rows: {counts.imported:,} imported, "
            f"{counts.rejected:,} rejected, {counts.skipped:,} skipped as already imported."
        )
        if counts.rejected:
            self.stdout.write("Rejected rows, with reasons, are in the import's error report.")
        waiting = pending_intake()
        if waiting.count:
            self.stdout.write(f"{waiting.summary()} Without a worker, run `haven intake-drain`.")
        return counts

    def _describe(self, opened: OpenedSheet, name: str, organization: Organization) -> None:
        table = opened.sheet.table
        where = f", sheet “{table.sheet_name}”" if table.sheet_name else ""
        self.stdout.write(
            f"{name}: {table.format.upper()}{where}, header on row {opened.sheet.header_row}, "
            f"from {organization.name}."
        )
        for header, field in zip(opened.sheet.headers, opened.mapping, strict=False):
            self.stdout.write(f"  {header.strip() or '(no header)'!s:30} -> {field}")
        for note in opened.notes:
            self.stdout.write(f"Note: {note}")

    def _preview(self, opened: OpenedSheet, organization: Organization) -> Preview:
        bar = ProgressBar(cast(TextIO, self.stderr._out), "Checking")
        preview = preview_rows(
            sheet=opened.sheet,
            parser=opened.parser(organization),
            organization=organization,
            progress=bar.update,
        )
        bar.finish(preview.rows)
        self.stdout.write(
            f"Dry run: {preview.rows:,} rows: {preview.to_import:,} to import "
            f"({preview.needs_data_entry:,} will need data entry), {preview.rejected:,} rejected, "
            f"{preview.already_imported:,} already imported, "
            f"{preview.repeated_in_file:,} repeated in the file."
        )
        if preview.household_count:
            self.stdout.write(
                f"Households: {preview.household_count:,} (holding {preview.rows_in_households:,} "
                f"rows): the import makes {preview.requests:,} requests."
            )
            for household in preview.household_groups[:20]:
                rows = ", ".join(str(r) for r in household["rows"][:12])
                self.stdout.write(f"  {household['key']}: rows {rows}: {household['labels']}")
        for code, count in preview.problem_counts.items():
            self.stdout.write(f"  {count:>7,}  {PROBLEM_LABELS.get(code, code)}")
        for unknown in preview.unknown_values[:20]:
            self.stdout.write(
                f"  eligibility value not understood: {unknown['column']} “{unknown['value']}” "
                f"({unknown['rows']:,} rows)"
            )
        for entry in preview.problem_rows[:20]:
            labels = "; ".join(str(PROBLEM_LABELS.get(p, p)) for p in entry["problems"])
            self.stdout.write(f"  row {entry['row']}: {entry['label'] or '(no name)'}: {labels}")
        if preview.same_person_group_count:
            self.stdout.write(
                f"Rows that look like the same person ({preview.same_person_group_count:,} "
                f"group{'s' if preview.same_person_group_count != 1 else ''}):"
            )
            for group in preview.same_person_groups[:20]:
                rows = ", ".join(str(r) for r in group["rows"][:10])
                self.stdout.write(f"  {group['label']}: rows {rows}")
        return preview

    def _confirm(self, preview: Preview) -> None:
        if not sys.stdin.isatty():
            raise CommandError(
                "Nothing imported. Add --yes to import without being asked, "
                "or --dry-run to check the file only."
            )
        answer = input(f"Import {preview.to_import:,} rows? [y/N] ")
        if answer.strip().lower() not in {"y", "yes"}:
            raise CommandError("Nothing imported.")
