"""An uploaded mailbox packed for storage: the files staff chose (an mbox, several .eml files,
a zip or tar of a Maildir) as one uncompressed tar, in the order they were sent, so a job
reads one object and every message keeps its place (a resumed import skips by position).
The tar is then sealed (sealed_store) like every upload.
"""

from __future__ import annotations

import io
import tarfile
from collections.abc import Iterable
from typing import IO

UPLOAD_DIR = "imports/mail"


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
