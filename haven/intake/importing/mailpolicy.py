"""The e-mail policy messages are read with: the standard library's, parsing each header
value once.

Under `email.policy.default` every read of a header (`message["Subject"]`, and inside the
library every `get_content_type()`, `get_param()`, `is_attachment()` ...) parses its value
again with the full RFC 5322 parser: about 17 header reads per message of a backlog inbox,
ten of them the same Content-Type, which made header parsing most of the time spent
parsing a message (cProfile of intake.importing.mailimport._parse_all). Header objects are
immutable (a str with read-only attributes), so the value parsed once is handed out again
for the same name and text; most messages of an inbox share their Content-Type and
Content-Transfer-Encoding values, so the cache also serves the next message.
"""

from __future__ import annotations

import email.policy
from email.headerregistry import BaseHeader, HeaderRegistry

# Bounded, so a long import (or a worker reading mail for days) keeps a bounded cache;
# a value longer than this is parsed every time rather than kept (a pathological header).
_CACHE_ENTRIES = 4096
_CACHE_VALUE_CHARS = 1000


class _ParsedOnce(HeaderRegistry):
    def __init__(self) -> None:
        super().__init__()
        self._parsed: dict[tuple[str, str], BaseHeader] = {}

    def __call__(self, name: str, value: str) -> BaseHeader:
        if len(value) > _CACHE_VALUE_CHARS:
            return super().__call__(name, value)
        key = (name, value)
        found = self._parsed.get(key)
        if found is None:
            if len(self._parsed) >= _CACHE_ENTRIES:
                self._parsed.clear()
            found = self._parsed[key] = super().__call__(name, value)
        return found


POLICY = email.policy.default.clone(header_factory=_ParsedOnce())
