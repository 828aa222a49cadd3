"""A small IMAP4rev1 server on loopback, enough for imaplib: LOGIN, EXAMINE/SELECT, UID SEARCH,
UID FETCH BODY.PEEK[], NOOP, LOGOUT. It records every command, so tests can show Haven only
reads, and it can hang up in the middle of a poll, as real servers do."""

from __future__ import annotations

import re
import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class Mailbox:
    user: str = "intake@example.org"
    password: str = "s3cret"
    uidvalidity: int = 1
    # UID → raw message, in UID order.
    messages: dict[int, bytes] = field(default_factory=dict)
    # Hang up on the FETCH with this number (1 = the first), once; 0 never.
    drop_on_fetch: int = 0
    # Hang up on every FETCH (a server that keeps failing).
    drop_always: bool = False
    commands: list[str] = field(default_factory=list)
    fetches: int = 0

    def add(self, raw: bytes) -> int:
        uid = max(self.messages, default=0) + 1
        self.messages[uid] = raw
        return uid


class _Handler(socketserver.StreamRequestHandler):
    server: _Server

    def send(self, line: bytes) -> None:
        self.wfile.write(line)
        self.wfile.flush()

    def handle(self) -> None:
        box = self.server.mailbox
        self.send(b"* OK [CAPABILITY IMAP4rev1] fake server ready\r\n")
        while True:
            line = self.rfile.readline()
            if not line:
                return
            tag, _, rest = line.decode("ascii", "replace").rstrip("\r\n").partition(" ")
            verb, _, args = rest.partition(" ")
            command = f"{verb.upper()} {args}".strip()
            with self.server.lock:
                box.commands.append(command)
            if not self.answer(tag, verb.upper(), args, box):
                return

    def answer(self, tag: str, verb: str, args: str, box: Mailbox) -> bool:
        ok = f"{tag} OK done\r\n".encode()
        if verb == "CAPABILITY":
            self.send(b"* CAPABILITY IMAP4rev1\r\n" + ok)
        elif verb == "LOGIN":
            user, password = (a.strip('"') for a in args.split(" ", 1))
            if (user, password) != (box.user, box.password):
                self.send(f"{tag} NO [AUTHENTICATIONFAILED] Invalid credentials\r\n".encode())
            else:
                self.send(ok)
        elif verb in ("EXAMINE", "SELECT"):
            if args.strip('"') != "INBOX":
                self.send(f"{tag} NO no such folder\r\n".encode())
            else:
                self.send(
                    f"* {len(box.messages)} EXISTS\r\n"
                    f"* OK [UIDVALIDITY {box.uidvalidity}] UIDs valid\r\n"
                    f"{tag} OK [{'READ-ONLY' if verb == 'EXAMINE' else 'READ-WRITE'}] done\r\n"
                    "".encode()
                )
        elif verb == "UID":
            return self.uid(tag, args, box)
        elif verb == "LOGOUT":
            self.send(b"* BYE logging out\r\n" + ok)
            return False
        else:  # NOOP and anything else harmless
            self.send(ok)
        return True

    def uid(self, tag: str, args: str, box: Mailbox) -> bool:
        sub, _, rest = args.partition(" ")
        uids = sorted(box.messages)
        if sub.upper() == "SEARCH":
            low = int(re.search(r"(\d+):\*", rest).group(1))  # type: ignore[union-attr]
            # As RFC 3501 says: "n:*" includes the highest UID even when it is below n.
            found = [u for u in uids if u >= low] or uids[-1:]
            self.send(f"* SEARCH {' '.join(map(str, found))}\r\n{tag} OK done\r\n".encode())
            return True
        if sub.upper() == "FETCH":
            box.fetches += 1
            if box.drop_always or box.fetches == box.drop_on_fetch:
                return False  # hang up without a word
            wanted = [int(u) for u in rest.split(" ", 1)[0].split(",")]
            for seq, uid in enumerate(uids, start=1):
                if uid in wanted:
                    raw = box.messages[uid]
                    self.send(f"* {seq} FETCH (UID {uid} BODY[] {{{len(raw)}}}\r\n".encode())
                    self.send(raw + b")\r\n")
            self.send(f"{tag} OK done\r\n".encode())
            return True
        self.send(f"{tag} BAD not supported\r\n".encode())
        return True


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, mailbox: Mailbox) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.mailbox = mailbox
        self.lock = threading.Lock()


@contextmanager
def fake_imap(mailbox: Mailbox) -> Iterator[int]:
    """Serve `mailbox` on loopback for the block; yields the port."""
    server = _Server(mailbox)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
