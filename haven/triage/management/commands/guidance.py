"""`haven guidance validate|test|preview|activate|status`.

validate and test read only files; preview stores the draft and reads the open
cases; activate needs a supervisor's user name (`--as`) and is audited.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from haven.triage import library
from haven.triage.engine import engine_for
from haven.triage.exports import write_preview_csv
from haven.triage.management.commands.triage import BAD_INPUT, load_pack
from haven.triage.pack import Pack, PackInvalid
from haven.triage.permissions import can_manage_guidance
from haven.triage.scenarios import load_scenarios, run_scenarios

TESTS_FAILED = 1


class Command(BaseCommand):
    help = "Guidance packs: validate, test, preview and activate versions."
    # validate and test must run without a database; checks could touch it.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True)
        validate = commands.add_parser("validate", help="check a version file or a pack folder")
        validate.add_argument("path")
        test = commands.add_parser("test", help="run a pack's scenarios")
        test.add_argument("pack", help="PACK (latest version) or PACK@VERSION")
        preview = commands.add_parser("preview", help="what a draft would change for open cases")
        preview.add_argument("path", help="a version file, or PACK@VERSION")
        preview.add_argument("--csv", help="write the changed cases to this CSV file")
        activate = commands.add_parser("activate", help="put a version in force (supervisors)")
        activate.add_argument("spec", help="PACK@VERSION")
        activate.add_argument("--as", dest="username", required=True, help="supervisor's username")
        activate.add_argument(
            "--reason",
            required=True,
            help="why (kept in the audit trail; every open case is re-triaged)",
        )
        commands.add_parser("status", help="the active guidance and re-triage progress")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"do_{options['subcommand']}")(**options)

    def fail_invalid(self, exc: PackInvalid) -> CommandError:
        for error in exc.errors:
            self.stderr.write(error)
        return CommandError(
            f"{len(exc.errors)} problem(s) found; nothing was stored", returncode=BAD_INPUT
        )

    # -- validate -----------------------------------------------------------------
    def do_validate(self, path: str, **_: Any) -> None:
        target = Path(path)
        if not target.exists():
            raise CommandError(f"{path}: no such file or folder", returncode=BAD_INPUT)
        files = sorted(
            p
            for p in (target.glob("*.y*ml") if target.is_dir() else [target])
            if p.name != library.SCENARIOS_FILE
        )
        errors: list[str] = []
        for file in files:
            try:
                pack = library.load_file(file)
            except PackInvalid as exc:
                errors.extend(exc.errors)
                continue
            if target.is_dir() and pack.pack != target.name:
                errors.append(
                    f"{library.display_name(file)}:1: pack '{pack.pack}' is in folder '{target.name}'"
                )
                continue
            self.stdout.write(
                f"ok {library.display_name(file)}: {pack.label}, {len(pack.rules)} rules"
            )
        scenarios = target / library.SCENARIOS_FILE if target.is_dir() else None
        if scenarios is not None and scenarios.exists():
            try:
                found = load_scenarios(scenarios)
                self.stdout.write(f"ok {library.display_name(scenarios)}: {len(found)} scenarios")
            except PackInvalid as exc:
                errors.extend(exc.errors)
        if not files:
            errors.append(f"{path}:1: no guidance version files found")
        if errors:
            raise self.fail_invalid(PackInvalid(errors))

    # -- test -----------------------------------------------------------------------
    def do_test(self, pack: str, **_: Any) -> None:
        loaded = load_pack(pack, self.stderr)
        try:
            scenarios = load_scenarios(library.scenarios_path(loaded.pack))
        except PackInvalid as exc:
            raise self.fail_invalid(exc) from exc
        outcomes = run_scenarios(engine_for(loaded), scenarios)
        for outcome in outcomes:
            status = "PASS" if outcome.passed else "FAIL"
            self.stdout.write(f"{status} {outcome.scenario.name}")
            for problem in outcome.problems:
                self.stdout.write(f"     line {outcome.scenario.line}: {problem}")
        failed = sum(1 for o in outcomes if not o.passed)
        self.stdout.write(f"{loaded.label}: {len(outcomes) - failed} passed, {failed} failed")
        if failed:
            raise CommandError(f"{failed} scenario(s) failed", returncode=TESTS_FAILED)

    # -- preview ----------------------------------------------------------------------
    def do_preview(self, path: str, csv: str | None, **_: Any) -> None:
        from haven.triage import selectors

        pack = load_pack(path, self.stderr)
        self.store(pack)
        preview = selectors.preview_changes(pack=pack)
        self.stdout.write(
            f"{preview.guidance}: {preview.changed} of {preview.open_cases} open case(s) "
            "would change pathway"
        )
        for (before, after), count in sorted(preview.changes.items()):
            self.stdout.write(f"  {before or '(not triaged)'} -> {after}: {count}")
        if csv:
            with open(csv, "w", newline="", encoding="utf-8") as out:
                write_preview_csv(out, preview.rows)
            self.stdout.write(f"changed cases written to {csv}")

    def store(self, pack: Pack) -> Any:
        from haven.triage import services

        try:
            return services.guidance_store(pack=pack, actor=None)
        except services.GuidanceConflict as exc:
            raise CommandError(str(exc), returncode=BAD_INPUT) from exc

    # -- activate ---------------------------------------------------------------------
    def do_activate(self, spec: str, username: str, reason: str, **_: Any) -> None:
        from haven.accounts.models import User
        from haven.triage import services
        from haven.triage.models import GuidanceVersion

        pack_name, version = library.split_spec(spec)
        if version is None:
            raise CommandError("name the version: PACK@VERSION", returncode=BAD_INPUT)
        actor = User.objects.filter(username=username).first()
        if actor is None:
            raise CommandError(f"no user '{username}'", returncode=BAD_INPUT)
        if not can_manage_guidance(actor):
            try:
                services.guidance_activation_refuse(label=spec, actor=actor)
            except PermissionDenied as exc:
                raise CommandError(f"{username} may not activate guidance: {exc}") from exc
        stored = GuidanceVersion.objects.filter(pack=pack_name, version=version).first()
        if stored is None:
            stored = self.store(load_pack(spec, self.stderr))
        from haven.accounts.approvals import approval_needed
        from haven.triage import approvals

        if not reason.strip():
            raise CommandError("give a reason (--reason)", returncode=BAD_INPUT)
        if approval_needed(approvals.ACTION):
            approval = approvals.activation_request(version=stored, actor=actor, reason=reason)
            self.stdout.write(
                f"Activation of {stored.label} waits for a second supervisor: "
                f"`haven approval approve {approval.pk} --as OTHER_SUPERVISOR`."
            )
            return
        try:
            run = services.guidance_activate(version=stored, actor=actor, reason=reason)
        except PermissionDenied as exc:
            raise CommandError(f"{username} may not activate guidance: {exc}") from exc
        self.stdout.write(
            f"{stored.label} is active. Re-triage of {run.total} open case(s) queued as run "
            f"{run.pk}; follow it with `haven guidance status` or on the guidance page."
        )

    # -- status ---------------------------------------------------------------------
    def do_status(self, **_: Any) -> None:
        from haven.triage import selectors
        from haven.triage.models import RetriageRun

        active = selectors.active_guidance()
        self.stdout.write(f"active: {active.label if active else 'none'}")
        for run in RetriageRun.objects.select_related("guidance")[:5]:
            self.stdout.write(
                f"run {run.pk} {run.guidance.label}: {run.get_status_display()}, "
                f"{run.done}/{run.total} ({run.percent}%), {run.changed} changed pathway"
            )
