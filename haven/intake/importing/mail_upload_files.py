"""What an e-mail upload holds: its files recognised, and its messages read one at a time.

An upload is one or more files: an mbox, .eml messages, or a zip or tar (.tar.gz too) of a
Maildir (messages are the files in its cur/ and new/ folders, subfolders included) or of .eml
and .mbox files. The upload page only looks at each file's first bytes (`sniff`) and, for a
zip, its directory; the messages are read in the background job, in a fixed order (files as
uploaded, an archive's members by name, an mbox from its top), so a resumed import can skip
by position. A member that cannot be a message (too large, unreadable) is an `Entry` with a
problem, not a message dropped: it is counted and rejected with its reason.

Archives are opened defensively: member names are never used as paths (nothing is unpacked
to disk but under a name of ours), a zip's declared sizes are checked before anything is
unpacked, and a tar is read as a stream through a reader that stops at the unpacked limit
(HAVEN_IMPORT_MAX_UNCOMPRESSED_BYTES), so a compression bomb ends in a clear error.
"""

from __future__ import annotations

import contextlib
import gzip
import re
import shutil
import tarfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any, cast

from django.conf import settings
from django.utils.translation import gettext as _

from .errors import ImportFileError
from .mail import MailItem, open_mail

HEAD_BYTES = 64 * 1024
KINDS = ("mbox", "eml", "zip", "tar")
# A line of a message's header: "Name: value" (RFC 5322 field names), or a folded line.
_HEADER_LINE = re.compile(rb"^(?:[!-9;-~]+:|[ \t])")
_KNOWN_HEADERS = re.compile(
    rb"^(?:from|to|cc|subject|date|message-id|received|return-path|mime-version|"
    rb"content-type|reply-to|delivered-to|x-[a-z0-9-]+):",
    re.I,
)


@dataclass(frozen=True)
class Entry:
    """One message of the upload (`item`), or a member that could not be read as one."""

    source: str
    item: MailItem | None = None
    problem: str = ""  # "too_large" or "unreadable", with `detail` saying why
    detail: str = ""


def _looks_like_message(head: bytes) -> bool:
    lines = head.replace(b"\r\n", b"\n").split(b"\n")[:40]
    header = []
    for line in lines:
        if not line:
            break
        header.append(line)
    if not header or not all(_HEADER_LINE.match(line) for line in header):
        return False
    return any(_KNOWN_HEADERS.match(line) for line in header)


def sniff(head: bytes) -> str:
    """ "mbox", "eml", "zip" or "tar" from a file's first bytes; "" for anything else."""
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    if head.startswith(b"\x1f\x8b") or head[257:262] == b"ustar":
        return "tar"
    if head.startswith(b"From "):
        return "mbox"
    return "eml" if _looks_like_message(head.lstrip(b"\r\n")) else ""


def zip_checked(fileobj: IO[bytes]) -> int:
    """How many messages a zip holds, from its directory; refuses a bomb or a broken zip."""
    try:
        with zipfile.ZipFile(fileobj) as archive:
            members = [i for i in archive.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ImportFileError(_("The zip file is damaged and cannot be opened.")) from exc
    finally:
        fileobj.seek(0)
    if sum(i.file_size for i in members) > settings.HAVEN_IMPORT_MAX_UNCOMPRESSED_BYTES:
        raise ImportFileError(_("The zip file unpacks to more than the import limit allows."))
    count = sum(1 for i in members if member_kind(i.filename))
    if not count:
        raise ImportFileError(
            _("The zip file holds no messages: no Maildir (cur/ and new/ folders), .eml or .mbox.")
        )
    return count


def member_kind(name: str) -> str:
    """Is an archive member a message ("eml"), a mailbox ("mbox"), or neither ("")?"""
    path = PurePosixPath(name.replace("\\", "/"))
    if not path.name or path.name.startswith(".") or "__MACOSX" in path.parts:
        return ""
    if path.suffix.lower() == ".mbox":
        return "mbox"
    if path.suffix.lower() == ".eml":
        return "eml"
    if len(path.parts) >= 2 and path.parts[-2] in ("cur", "new"):
        return "eml"
    return ""


class _Limited:
    """A reader that fails once more than `limit` bytes came through (a compression bomb)."""

    def __init__(self, raw: Any, limit: int) -> None:
        self.raw = raw
        self.left = limit

    def read(self, size: int = -1) -> bytes:
        data: bytes = self.raw.read(size)
        self.left -= len(data)
        if self.left < 0:
            raise ImportFileError(_("The archive unpacks to more than the import limit allows."))
        return data


class UploadReader:
    """The stored upload (the packed tar of mail_store, unsealed by sealed_store), read in the job. `workdir` holds the
    uploaded files under names of ours while the job runs."""

    def __init__(self, packed: IO[bytes], workdir: Path) -> None:
        self.workdir = workdir
        self.files: list[tuple[str, str, Path]] = []  # (name as uploaded, kind, local copy)
        with tarfile.open(fileobj=packed, mode="r:") as outer:
            for position, member in enumerate(m for m in outer.getmembers() if m.isfile()):
                local = workdir / f"upload-{position}"
                source = outer.extractfile(member)
                assert source is not None
                with local.open("wb") as out:
                    shutil.copyfileobj(source, out, 1024 * 1024)
                with local.open("rb") as f:
                    kind = sniff(f.read(HEAD_BYTES)) or "eml"
                self.files.append((member.name.partition("/")[2] or member.name, kind, local))

    @property
    def max_message_bytes(self) -> int:
        return int(settings.HAVEN_MAX_UPLOAD_BYTES)

    def count(self) -> int:
        return sum(1 for _entry in self.entries(read=False))

    def entries(self, *, read: bool = True) -> Iterator[Entry]:
        """Every message, in order. With read=False, only counted (raw left empty)."""
        for name, kind, local in self.files:
            if kind == "mbox":
                yield from self._mbox(name, local, read)
            elif kind == "zip":
                yield from self._zip(name, local, read)
            elif kind == "tar":
                yield from self._tar(name, local, read)
            else:
                yield Entry(name, MailItem(name, local.read_bytes() if read else b""))

    def _mbox(self, name: str, path: Path, read: bool) -> Iterator[Entry]:
        _total, items = open_mail(path)
        for number, item in enumerate(items, start=1):
            yield Entry(f"{name} #{number}", MailItem(f"{name} #{number}", item.raw))

    def _too_large(self, source: str, size: int) -> Entry:
        detail = _("The message is %(mb)s MB, over the limit of %(limit)s MB.") % {
            "mb": f"{size / 1024 / 1024:,.1f}",
            "limit": f"{self.max_message_bytes / 1024 / 1024:,.0f}",
        }
        return Entry(source, problem="too_large", detail=detail)

    def _member(self, source: str, kind: str, data: bytes) -> Iterator[Entry]:
        if kind == "mbox":
            local = self.workdir / "member.mbox"
            local.write_bytes(data)
            yield from self._mbox(source, local, True)
        else:
            yield Entry(source, MailItem(source, data))

    def _zip(self, name: str, path: Path, read: bool) -> Iterator[Entry]:
        with path.open("rb") as f:
            zip_checked(f)
        with zipfile.ZipFile(path) as archive:
            members = sorted(
                (i for i in archive.infolist() if not i.is_dir() and member_kind(i.filename)),
                key=lambda i: i.filename,
            )
            for info in members:
                source = f"{name}: {info.filename}"
                kind = member_kind(info.filename)
                if info.file_size > self.max_message_bytes:
                    yield self._too_large(source, info.file_size)
                    continue
                if not read and kind == "eml":
                    yield Entry(source, MailItem(source, b""))
                    continue
                try:
                    data = archive.read(info)
                except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
                    detail = _("This file in the archive is damaged (%(error)s).") % {
                        "error": type(exc).__name__
                    }
                    yield Entry(source, problem="unreadable", detail=detail)
                    continue
                yield from self._member(source, kind, data)

    def _tar(self, name: str, path: Path, read: bool) -> Iterator[Entry]:
        limit = int(settings.HAVEN_IMPORT_MAX_UNCOMPRESSED_BYTES)
        with path.open("rb") as f:
            compressed = f.read(2) == b"\x1f\x8b"
        with contextlib.ExitStack() as stack:
            raw: Any = stack.enter_context(path.open("rb"))
            if compressed:
                raw = stack.enter_context(gzip.GzipFile(fileobj=raw, mode="rb"))
            try:
                archive = stack.enter_context(
                    tarfile.open(None, "r|", cast(Any, _Limited(raw, limit)))
                )
                for info in archive:
                    kind = member_kind(info.name) if info.isfile() else ""
                    if not kind:
                        continue
                    source = f"{name}: {info.name}"
                    if info.size > self.max_message_bytes:
                        yield self._too_large(source, info.size)
                        continue
                    member = archive.extractfile(info)
                    data = member.read() if member is not None else b""
                    if not read and kind == "eml":
                        yield Entry(source, MailItem(source, b""))
                        continue
                    yield from self._member(source, kind, data)
            except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
                raise ImportFileError(
                    _("The archive %(name)s is damaged and could not be read to its end.")
                    % {"name": name}
                ) from exc
