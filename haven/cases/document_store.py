"""Where a document's bytes are kept: encrypted, under a random name, outside any web root.

The folder is settings.HAVEN_DOCUMENT_ROOT (var/case-documents in the demo), which no URL
maps to: the only way to a document's content is cases.views_documents.document_download,
which checks access and audits the read. The name on disk is random (nothing of the
person, the case or the original name); the bytes are Fernet-encrypted with the identifier
keys (common.crypto.encrypt_bytes), so a copy of the folder without the keys holds nothing.
"""

from __future__ import annotations

import os
import secrets

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage

from haven.common import crypto


class DocumentStorage(FileSystemStorage):
    """FileSystemStorage at HAVEN_DOCUMENT_ROOT, read when used (tests point it elsewhere),
    with no URL at all: url() raises, so no template can link a file around the access check."""

    def __init__(self) -> None:
        super().__init__(base_url=None)

    @property
    def base_location(self) -> str:
        return str(settings.HAVEN_DOCUMENT_ROOT)

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name: str | None) -> str:
        raise ValueError("Case documents have no URL: they are served by an access-checked view.")


_STORAGE = DocumentStorage()


def storage() -> DocumentStorage:
    return _STORAGE


def new_key() -> str:
    """A random name (two levels of folders so none holds millions of files): 192 bits."""
    token = secrets.token_urlsafe(24)
    return f"{token[:2]}/{token[2:4]}/{token}"


def file_write(data: bytes) -> str:
    """Encrypt and write the bytes under a new random key; returns the key."""
    key = new_key()
    saved = _STORAGE.save(key, ContentFile(crypto.encrypt_bytes(data)))
    return saved


def file_read(key: str) -> bytes:
    """The plaintext bytes of a stored document (raises InvalidToken if the keys are gone or
    the file was altered: Fernet authenticates)."""
    with _STORAGE.open(key, "rb") as handle:
        token = handle.read()
    return crypto.decrypt_bytes(token)


def file_delete(key: str) -> None:
    _STORAGE.delete(key)
