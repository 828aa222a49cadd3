"""`haven check --deploy`: is there a malware scanner for the documents people upload?"""

from __future__ import annotations

from typing import Any


def documents_scanner_check(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    from django.conf import settings
    from django.core.checks import Error, Warning

    if settings.HAVEN_CLAMD_URL:
        return []
    if settings.HAVEN_DOCUMENTS_ALLOW_UNSCANNED:
        return [
            Warning(
                "No malware scanner (HAVEN_CLAMD_URL): case documents are kept and can be "
                "opened unscanned, because HAVEN_DOCUMENTS_ALLOW_UNSCANNED is on.",
                hint="Run ClamAV's daemon and set HAVEN_CLAMD_URL (tcp://host:3310 or "
                "unix:///run/clamav/clamd.ctl).",
                id="haven.W101",
            )
        ]
    return [
        Error(
            "No malware scanner (HAVEN_CLAMD_URL): every uploaded document would stay "
            "quarantined, as nothing can scan it.",
            hint="Set HAVEN_CLAMD_URL to ClamAV's daemon, or accept unscanned documents with "
            "HAVEN_DOCUMENTS_ALLOW_UNSCANNED=1 (not advised).",
            id="haven.E101",
        )
    ]
