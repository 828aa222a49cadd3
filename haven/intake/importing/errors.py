"""The one error an importer raises for bad input: its message is shown to staff as it is."""

from __future__ import annotations


class ImportFileError(Exception):
    """The file cannot be read as a table; the message says why, in words staff understand."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
