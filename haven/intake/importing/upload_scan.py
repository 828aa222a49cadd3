"""Uploads to import are scanned by ClamAV's daemon (when HAVEN_CLAMD_URL is set) before they
are stored: a list or a mailbox from outside may carry malware meant for whoever opens it
later (the original file is kept and can be downloaded again).

Fail closed, as for case documents: an upload the scanner did not clearly pass is not stored.
Unlike a document, an import has no quarantine to wait in, so staff are told to upload again
in a few minutes; nothing has been imported and the form keeps what they chose.
"""

from __future__ import annotations

import logging
from typing import IO

from django.utils.translation import gettext as _

from haven.common import clamd

logger = logging.getLogger(__name__)


def upload_refusal(fileobj: IO[bytes], *, name: str) -> str | None:
    """Why this upload may not be stored, for the form; None when it may (clean, or no
    scanner configured). The file is left at its start."""
    result = clamd.scan_file(fileobj)
    if result.verdict is clamd.Verdict.INFECTED:
        # The signature's name only: never the file's name or content.
        logger.warning("Import upload refused: malware signature %s", result.detail)
        return _(
            "“%(name)s” was not stored: the malware scanner found %(signature)s in it. "
            "Ask the sender for a clean copy."
        ) % {"name": name, "signature": result.detail}
    if result.verdict is clamd.Verdict.UNAVAILABLE:
        return _(
            "“%(name)s” was not stored: the malware scanner did not answer. "
            "Nothing was imported; upload it again in a few minutes."
        ) % {"name": name}
    return None
