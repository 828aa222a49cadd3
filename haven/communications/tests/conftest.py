from __future__ import annotations

from collections.abc import Iterator

import pytest

from haven.communications import channels


@pytest.fixture(autouse=True)
def _empty_sms_outbox() -> Iterator[None]:
    channels.sms_outbox.clear()
    yield
    channels.sms_outbox.clear()
