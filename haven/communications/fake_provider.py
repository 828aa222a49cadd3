"""A Twilio-compatible SMS provider on loopback, for tests and the bench (never production).

It does what a real provider does with Twilio's I-Twilio-Idempotency-Token: a request whose
key it has seen answers with the first answer and sends nothing. It records every request,
each message actually "sent", and the times, so a test can check that nothing went twice and
a bench that the rate limit held. `hold_after` makes it take the Nth message and then hang
before answering, which is where a worker is killed in the crash test.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs


class FakeProvider:
    def __init__(self, *, hold_after: int = 0, rate_limit: int = 0) -> None:
        self.requests: list[str] = []  # idempotency key of every request, repeats included
        self.sent: dict[str, str] = {}  # key -> sid, once per message really sent
        self.sent_at: list[float] = []
        self.rejected_for_rate = 0
        self.hold_after = hold_after
        self.rate_limit = rate_limit
        self.holding = threading.Event()
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> FakeProvider:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def max_in_any_second(self) -> int:
        times = sorted(self.sent_at)
        best, start = 0, 0
        for end, at in enumerate(times):
            while at - times[start] >= 1.0:
                start += 1
            best = max(best, end - start + 1)
        return best

    def _answer(self, key: str, form: dict[str, str]) -> tuple[int, dict[str, str], bool]:
        with self.lock:
            self.requests.append(key)
            if key in self.sent:
                return 201, {"sid": self.sent[key], "status": "queued"}, False
            now = time.monotonic()
            if self.rate_limit:
                recent = [t for t in self.sent_at if now - t < 1.0]
                if len(recent) >= self.rate_limit:
                    self.rejected_for_rate += 1
                    return 429, {"code": "20429", "message": "Too Many Requests"}, False
            sid = f"SM{len(self.sent) + 1:032d}"
            self.sent[key] = sid
            self.sent_at.append(now)
            hold = bool(self.hold_after) and len(self.sent) == self.hold_after
            return 201, {"sid": sid, "status": "queued", "to": form.get("To", "")}, hold

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                key = self.headers.get("I-Twilio-Idempotency-Token", "")
                status, body, hold = provider._answer(key, form)
                if hold:
                    provider.holding.set()
                    time.sleep(30)  # the worker is killed while waiting for this answer
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: object) -> None:
                pass

        return Handler
