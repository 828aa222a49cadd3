"""Where an uploaded mailbox waits for its dry run and import: packed, encrypted, in storage.

The files staff chose (an mbox, several .eml files, a zip or tar of a Maildir) are packed
into one uncompressed tar, in the order they were sent, so a job reads one object and every
message keeps its place (a resumed import skips by position). The tar is then encrypted a
MiB at a time with the identifier keys (common.crypto.encrypt_bytes, Fernet: authenticated,
so a stored file changed on disk fails to open instead of being imported), each piece
prefixed by its length: a mailbox holds names, dates of birth and document numbers, and a
copy of the storage folder without the keys must hold none of them. Pieces keep memory
bounded whatever the upload's size. Jobs work on a local temporary copy, deleted when done.
"""

from __future__ import annotations

import io
import tarfile
import tempfile
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import IO

from django.core.files import File
from django.core.files.storage import default_storage

from haven.common import crypto

UPLOAD_DIR = "imports/mail"
_PIECE = 1024 * 1024
_LENGTH_BYTES = 4


class SealedFileError(Exception):
    """The stored upload cannot be opened (a key missing, the file damaged)."""


def safe_name(name: str, position: int) -> str:
    """A member name for the tar: the file's own base name, never a path."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip() or "upload"
    return f"{position:04d}/{base[:200]}"


def pack(files: Iterable[tuple[str, IO[bytes]]], into: IO[bytes]) -> None:
    """The uploaded files, in order, as members of an uncompressed tar."""
    with tarfile.open(fileobj=into, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for position, (name, fileobj) in enumerate(files):
            fileobj.seek(0, io.SEEK_END)
            info = tarfile.TarInfo(safe_name(name, position))
            info.size = fileobj.tell()
            fileobj.seek(0)
            tar.addfile(info, fileobj)


def seal(source: IO[bytes]) -> str:
    """Encrypt `source` piece by piece into storage; returns the stored name."""
    source.seek(0)
    with tempfile.TemporaryFile() as sealed:
        while piece := source.read(_PIECE):
            token = crypto.encrypt_bytes(piece)
            sealed.write(len(token).to_bytes(_LENGTH_BYTES, "big"))
            sealed.write(token)
        sealed.seek(0)
        return default_storage.save(f"{UPLOAD_DIR}/{uuid.uuid4().hex}", File(sealed))


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
