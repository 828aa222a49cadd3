"""Where an upload waits for its dry run and import: encrypted, in storage.

A spreadsheet or a mailbox holds names, dates of birth and document numbers, and a copy of
the storage folder without the keys must hold none of them. A file is encrypted a MiB at a
time with the identifier keys (common.crypto.encrypt_bytes, Fernet: authenticated, so a
stored file changed on disk fails to open instead of being imported), each piece prefixed
by its length. Pieces keep memory bounded whatever the upload's size. Jobs work on a local
temporary copy, deleted when done.
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

from django.core.files import File
from django.core.files.storage import default_storage

from haven.common import crypto

_PIECE = 1024 * 1024
_LENGTH_BYTES = 4


class SealedFileError(Exception):
    """The stored upload cannot be opened (a key missing, the file damaged)."""


def seal(source: IO[bytes], *, directory: str) -> str:
    """Encrypt `source` piece by piece into storage; returns the stored name."""
    source.seek(0)
    with tempfile.TemporaryFile() as sealed:
        while piece := source.read(_PIECE):
            token = crypto.encrypt_bytes(piece)
            sealed.write(len(token).to_bytes(_LENGTH_BYTES, "big"))
            sealed.write(token)
        sealed.seek(0)
        return default_storage.save(f"{directory}/{uuid.uuid4().hex}", File(sealed))


def _pieces(stored: IO[bytes]) -> Iterator[bytes]:
    while head := stored.read(_LENGTH_BYTES):
        if len(head) != _LENGTH_BYTES:
            raise SealedFileError("the stored upload ends in the middle of a piece")
        token = stored.read(int.from_bytes(head, "big"))
        try:
            yield crypto.decrypt_bytes(token)
        except Exception as exc:  # InvalidToken, or a token cut short
            raise SealedFileError("the stored upload could not be decrypted") from exc


@contextmanager
def opened(path: str) -> Iterator[IO[bytes]]:
    """The stored upload decrypted into a local temporary file, positioned at its start."""
    with default_storage.open(path, "rb") as stored, tempfile.TemporaryFile() as local:
        for piece in _pieces(stored):
            local.write(piece)
        local.seek(0)
        yield local


def delete(path: str) -> None:
    if path and default_storage.exists(path):
        default_storage.delete(path)
