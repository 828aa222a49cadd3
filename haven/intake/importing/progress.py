"""A progress bar for the command line, on stderr so stdout stays parseable."""

from __future__ import annotations

import time
from typing import TextIO


class ProgressBar:
    """Redrawn in place on a terminal; a line every ten seconds in a log."""

    WIDTH = 30

    def __init__(self, stream: TextIO, label: str, unit: str = "rows") -> None:
        self.stream = stream
        self.label = label
        self.unit = unit
        self.tty = stream.isatty()
        self.started = time.monotonic()
        # A log gets its first line after the first interval, not one per tiny file.
        self._last = 0.0 if self.tty else self.started

    def update(self, rows: int, fraction: float, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < (0.2 if self.tty else 10.0):
            return
        self._last = now
        elapsed = max(now - self.started, 1e-6)
        filled = int(self.WIDTH * min(max(fraction, 0.0), 1.0))
        bar = "#" * filled + "." * (self.WIDTH - filled)
        line = (
            f"{self.label} [{bar}] {fraction:4.0%}  {rows:,} {self.unit}  "
            f"{rows / elapsed:,.0f} {self.unit}/s  {elapsed:,.0f}s"
        )
        self.stream.write(("\r" + line) if self.tty else (line + "\n"))
        self.stream.flush()

    def finish(self, rows: int) -> None:
        self.update(rows, 1.0, force=True)
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()
