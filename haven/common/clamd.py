"""ClamAV's daemon, spoken to directly: the INSTREAM command over TCP or a unix socket.

A few lines of the documented protocol (clamd(8)): send "zINSTREAM\\0", then the bytes in
chunks each preceded by its length as a 4-byte big-endian number, then a zero length; the
daemon answers "stream: OK", "stream: <signature> FOUND" or "<message> ERROR", ended by
NUL. Written here rather than taken from clamav-client, whose GPL-2.0 licence does not
combine with Haven's AGPL-3.0.

Fail closed: anything but a clear OK or FOUND (no daemon, a timeout, a size-limit error, a
reply we do not understand) is `ScanResult.UNAVAILABLE`, and the document stays quarantined
until the `haven tick` job scans it again (cases.services_documents.documents_rescan);
an upload to import is refused until the scanner answers (intake.importing.upload_scan).
Here in common because both cases (documents) and intake (imports) scan what staff upload.
"""

from __future__ import annotations

import logging
import socket
import struct
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum
from typing import IO
from urllib.parse import urlsplit

from django.conf import settings

logger = logging.getLogger(__name__)
CHUNK = 64 * 1024
MAX_REPLY = 4096


class Verdict(Enum):
    CLEAN = "clean"
    INFECTED = "infected"
    UNAVAILABLE = "unavailable"  # down, timed out, or answered something we cannot trust
    NOT_CONFIGURED = "not_configured"


@dataclass(frozen=True)
class ScanResult:
    verdict: Verdict
    # The signature clamd named ("Eicar-Test-Signature"), or why the scan did not happen
    # (an exception's class, a clamd error line): codes, never the file's content.
    detail: str = ""


class ScannerError(Exception):
    pass


def configured() -> bool:
    return bool(settings.HAVEN_CLAMD_URL)


def _connect(url: str, timeout: float) -> socket.socket:
    parts = urlsplit(url)
    if parts.scheme == "unix":
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        sock.connect(parts.path)
        return sock
    if parts.scheme == "tcp" and parts.hostname:
        return socket.create_connection((parts.hostname, parts.port or 3310), timeout=timeout)
    raise ScannerError(f"HAVEN_CLAMD_URL must be tcp://host:port or unix:///path, not {url!r}")


def _reply(sock: socket.socket) -> str:
    received = b""
    while b"\0" not in received and len(received) < MAX_REPLY:
        chunk = sock.recv(1024)
        if not chunk:
            break
        received += chunk
    if b"\0" not in received:
        raise ScannerError("clamd closed the connection without a complete answer")
    return received.split(b"\0", 1)[0].decode("utf-8", "replace").strip()


def instream(data: bytes, *, url: str, timeout: float) -> str:
    """Send the bytes with INSTREAM and return clamd's answer line."""
    chunks = (data[start : start + CHUNK] for start in range(0, len(data), CHUNK))
    return _instream_chunks(chunks, url=url, timeout=timeout)


def _instream_chunks(chunks: Iterable[bytes], *, url: str, timeout: float) -> str:
    with _connect(url, timeout) as sock:
        sock.sendall(b"zINSTREAM\0")
        for chunk in chunks:
            if chunk:
                sock.sendall(struct.pack("!L", len(chunk)) + chunk)
        sock.sendall(struct.pack("!L", 0))
        return _reply(sock)


def interpret(answer: str) -> ScanResult:
    """Only the two answers clamd gives for a finished scan count; anything else fails closed."""
    body = answer.removeprefix("stream:").strip()
    if answer.startswith("stream:") and body == "OK":
        return ScanResult(Verdict.CLEAN)
    if answer.startswith("stream:") and body.endswith(" FOUND") and len(body) > len(" FOUND"):
        return ScanResult(Verdict.INFECTED, body.removesuffix(" FOUND").strip()[:200])
    return ScanResult(Verdict.UNAVAILABLE, f"unexpected answer: {answer[:120]}")


def scan(data: bytes) -> ScanResult:
    return _scan(lambda url, timeout: instream(data, url=url, timeout=timeout))


def scan_file(fileobj: IO[bytes]) -> ScanResult:
    """Scan a file from its start, a chunk at a time (an upload may be hundreds of MB), and
    leave it positioned at its start again."""

    def send(url: str, timeout: float) -> str:
        fileobj.seek(0)
        try:
            return _instream_chunks(
                iter(lambda: fileobj.read(CHUNK), b""), url=url, timeout=timeout
            )
        finally:
            fileobj.seek(0)

    return _scan(send)


def _scan(send: Callable[[str, float], str]) -> ScanResult:
    url: str = settings.HAVEN_CLAMD_URL
    if not url:
        return ScanResult(Verdict.NOT_CONFIGURED)
    try:
        answer = send(url, settings.HAVEN_CLAMD_TIMEOUT_SECONDS)
    except (OSError, ScannerError) as exc:
        logger.warning("Malware scanner unavailable: %s", type(exc).__name__)
        return ScanResult(Verdict.UNAVAILABLE, type(exc).__name__)
    result = interpret(answer)
    if result.verdict is Verdict.UNAVAILABLE:
        logger.warning("Malware scanner gave an answer Haven does not trust")
    return result
