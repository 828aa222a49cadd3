"""The `haven` command: a thin wrapper over Django's manage.py."""

from __future__ import annotations

import os
import sys


def _command_name(argv: list[str]) -> list[str]:
    # Django command names are module names, so `import-mail` is spelled `import_mail` there;
    # accept the hyphenated spelling people type.
    if argv and "-" in argv[0] and not argv[0].startswith("-"):
        return [argv[0].replace("-", "_"), *argv[1:]]
    return argv


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "haven.config.settings")
    from django.core.management import execute_from_command_line

    args = _command_name(list(argv if argv is not None else sys.argv[1:]))
    execute_from_command_line(["haven", *args])


if __name__ == "__main__":
    main()
