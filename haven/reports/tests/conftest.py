from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _live_summaries(settings, tmp_path) -> None:
    # Every page and command reads the desk as it is now (rebuilt on each read).
    settings.HAVEN_REPORTS_SUMMARY_MAX_AGE_SECONDS = 0
    settings.VAR_DIR = tmp_path
