"""A stand-in for ClamAV's daemon on loopback (or a unix socket) that speaks INSTREAM.

It parses the real protocol (the "zINSTREAM\\0" command, length-prefixed chunks, the zero
length that ends them) and answers as clamd does: "stream: OK", or "stream:
Eicar-Test-Signature FOUND" when the stream holds ClamAV's EICAR test string. `mode`
"garbled" answers something clamd never says; "silent" accepts and never answers (a hung
daemon: the client's timeout must fire).
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

# ClamAV's standard test file (https://www.eicar.org), in two halves so that this source file
# is not itself flagged by a scanner on a developer's machine.
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def _read_exact(conn: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            raise ConnectionError("client went away")
        data += chunk
    return data


@dataclass
class FakeClamd:
    mode: str = "normal"
    unix_path: str = ""
    streams: list[bytes] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.unix_path:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.bind(self.unix_path)
            self.url = f"unix://{self.unix_path}"
        else:
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self.sock.bind(("127.0.0.1", 0))
            self.url = f"tcp://127.0.0.1:{self.sock.getsockname()[1]}"
        self.sock.listen(8)
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        self.sock.settimeout(0.2)
        while not self._stop.is_set():
            try:
                conn, _addr = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            with conn, contextlib.suppress(ConnectionError, OSError):
                self._handle(conn)

    def _handle(self, conn: socket.socket) -> None:
        conn.settimeout(5)
        command = b""
        while not command.endswith(b"\0"):
            command += _read_exact(conn, 1)
        if command != b"zINSTREAM\0":
            conn.sendall(b"UNKNOWN COMMAND\0")
            return
        stream = b""
        while True:
            (length,) = struct.unpack("!L", _read_exact(conn, 4))
            if length == 0:
                break
            stream += _read_exact(conn, length)
        self.streams.append(stream)
        if self.mode == "silent":
            self._stop.wait(10)
            return
        if self.mode == "garbled":
            conn.sendall(b"PONG?\0")
        elif EICAR in stream:
            conn.sendall(b"stream: Eicar-Test-Signature FOUND\0")
        else:
            conn.sendall(b"stream: OK\0")

    def close(self) -> None:
        self._stop.set()
        self.sock.close()
        self.thread.join(timeout=2)


def closed_port_url() -> str:
    """A loopback address where nothing listens (bound, then closed): a scanner that is down."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return f"tcp://127.0.0.1:{port}"


@pytest.fixture
def clamd(settings: Any) -> Iterator[FakeClamd]:
    """A fake clamd on loopback, set as HAVEN_CLAMD_URL for the test."""
    server = FakeClamd()
    settings.HAVEN_CLAMD_URL = server.url
    settings.HAVEN_CLAMD_TIMEOUT_SECONDS = 2
    yield server
    server.close()
