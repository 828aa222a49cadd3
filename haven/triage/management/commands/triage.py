"""`haven triage explain --facts FILE.json [--guidance PACK@VERSION]`: no database needed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from haven.triage import library
from haven.triage.engine import engine_for
from haven.triage.facts import FactsError, clean_facts
from haven.triage.pack import Pack, PackInvalid

BAD_INPUT = 2


def load_pack(spec: str | None, stderr: Any) -> Pack:
    """A pack from a spec or path, turning every failure into exit code 2."""
    try:
        return library.resolve(spec)
    except PackInvalid as exc:
        for error in exc.errors:
            stderr.write(error)
        raise CommandError(
            f"guidance {spec} is invalid ({len(exc.errors)} problem(s))", returncode=BAD_INPUT
        ) from exc
    except library.PackNotFound as exc:
        raise CommandError(str(exc), returncode=BAD_INPUT) from exc


def read_facts(path: str) -> dict[str, Any]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"{path}: cannot read facts: {exc}", returncode=BAD_INPUT) from exc
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CommandError(
            f"{path}:{exc.lineno}: not valid JSON: {exc.msg} (column {exc.colno})",
            returncode=BAD_INPUT,
        ) from exc
    try:
        return clean_facts(raw)
    except FactsError as exc:
        subject = f"fact '{exc.fact}' " if exc.fact else ""
        raise CommandError(f"{path}: {subject}{exc.message}", returncode=BAD_INPUT) from exc


class Command(BaseCommand):
    help = "Triage tools. `explain` prints the decision for a facts file as JSON."
    # explain runs without a database: no system checks (they may touch it).
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True)
        explain = commands.add_parser("explain", help="explain the decision for a facts file")
        explain.add_argument("--facts", required=True, help="JSON object of case facts")
        explain.add_argument(
            "--guidance", help="PACK@VERSION, PACK (latest) or a version file; default pack"
        )
        explain.add_argument("--language", default=None, help="language of the texts, e.g. en")

    def handle(self, *args: Any, **options: Any) -> None:
        facts = read_facts(options["facts"])
        pack = load_pack(options["guidance"], self.stderr)
        language = options["language"] or translation.get_language() or "en"
        with translation.override(language):
            decision = engine_for(pack).decide(facts, language=language)
            self.stdout.write(json.dumps(decision.as_json(), indent=2, ensure_ascii=False))
