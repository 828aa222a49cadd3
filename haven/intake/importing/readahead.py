"""Reading a big file's rows in a second process while this one checks and stores them.

Unpacking an XLSX is a good part of the work on each row (100,000 rows: about 4 s of a
10 s dry run and a 33 s import), all on one core of a machine that has two or more. Past
the first few thousand rows (a short list gains nothing from a second process), a forked
child goes on iterating the very same row iterator (fork copies its state) and hands the
rows over a pipe, a few hundred at a time. The pipe's small buffer keeps the child only a
little ahead, so memory stays bounded as before, and rows arrive in order: chunks commit,
and resume, as they did. (Parsing the rows in the child too was measured slower: parsed
rows cost more to pass over than the parsing saved.)

The child touches nothing but the file: it never uses the database connection it
inherits, and it leaves through os._exit (multiprocessing's fork start does), so that
connection is never closed under the parent. It shares the open file's offset with the
parent, which is put back when the child is done.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import signal
from collections.abc import Callable, Generator, Iterator
from multiprocessing.connection import Connection
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _

from .errors import ImportFileError

Row = tuple[int, list[str]]
_BATCH = 250


class RowStream:
    """Rows in order, with how far through the file reading has got (for a progress bar)."""

    def __init__(
        self,
        rows: Iterator[Row],
        *,
        fraction_read: Callable[[], float],
        fileobj: IO[bytes] | None,
        read_ahead_after: int | None = None,
    ) -> None:
        self._rows = rows
        self._fraction_read = fraction_read
        self._fraction: float | None = None  # reported by the child once it reads
        self._fileobj = fileobj
        self._after = (
            settings.HAVEN_IMPORT_READ_AHEAD_AFTER_ROWS
            if read_ahead_after is None
            else read_ahead_after
        )
        self._iterator: Generator[Row, None, None] | None = None

    def fraction_read(self) -> float:
        return self._fraction_read() if self._fraction is None else self._fraction

    def __iter__(self) -> Iterator[Row]:
        if self._iterator is None:
            self._iterator = self._read()
        return self._iterator

    def __enter__(self) -> RowStream:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop reading: the child, if any, is stopped now, not when this is collected."""
        if self._iterator is not None:
            self._iterator.close()

    def _read(self) -> Generator[Row, None, None]:
        yield from itertools.islice(self._rows, self._after)
        if _can_fork():
            yield from self._from_child()
        else:
            yield from self._rows

    def _from_child(self) -> Iterator[Row]:
        context = multiprocessing.get_context("fork")
        receiving, sending = context.Pipe(duplex=False)
        offset = _file_offset(self._fileobj)
        child = context.Process(target=_send_rows, args=(self._rows, self._fraction_read, sending))
        child.daemon = True  # never outlives an interrupted import
        child.start()
        sending.close()
        try:
            yield from self._received(receiving)
        finally:
            receiving.close()
            if child.is_alive():
                child.terminate()
            child.join()
            _restore_offset(self._fileobj, offset)

    def _received(self, receiving: Connection) -> Iterator[Row]:
        while True:
            try:
                kind, payload, fraction = receiving.recv()
            except EOFError:
                raise ImportFileError(
                    _(
                        "Reading the file stopped unexpectedly after the rows counted so far. "
                        "Run the same import again: it resumes where it stopped."
                    )
                ) from None
            self._fraction = fraction
            if kind == "rows":
                yield from payload
            elif kind == "error":
                raise ImportFileError(payload)
            else:
                return


def _send_rows(rows: Iterator[Row], fraction_read: Callable[[], float], sending: Any) -> None:
    """In the child: read on, and send rows, then "end" (or the reader's error message)."""
    # Ctrl-C reaches the whole process group: the parent handles it and stops this child,
    # which would otherwise print a second traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    batch: list[Row] = []
    try:
        for row in rows:
            batch.append(row)
            if len(batch) == _BATCH:
                sending.send(("rows", batch, fraction_read()))
                batch = []
        sending.send(("rows", batch, fraction_read()))
        sending.send(("end", None, fraction_read()))
    except ImportFileError as exc:
        # The rows read before the damage first, as reading in one process gives them.
        sending.send(("rows", batch, fraction_read()))
        sending.send(("error", str(exc.message), fraction_read()))
    except (BrokenPipeError, ConnectionResetError):
        pass  # the parent stopped reading (an interrupted import): nothing to tell
    finally:
        sending.close()


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def _file_offset(fileobj: IO[bytes] | None) -> int | None:
    fd = _fileno(fileobj)
    return None if fd is None else os.lseek(fd, 0, os.SEEK_CUR)


def _restore_offset(fileobj: IO[bytes] | None, offset: int | None) -> None:
    # The child moved the offset the two processes share; the parent's buffered file still
    # believes it is where it was, and would read from the wrong place if used again.
    fd = _fileno(fileobj)
    if fd is not None and offset is not None:
        os.lseek(fd, offset, os.SEEK_SET)


def _fileno(fileobj: IO[bytes] | None) -> int | None:
    try:
        return None if fileobj is None else fileobj.fileno()
    except (OSError, ValueError, AttributeError):  # in memory (an upload, a test): not shared
        return None
