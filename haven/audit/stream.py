"""Audit events shipped off the host as JSON lines, for a log collector.

HAVEN_AUDIT_STREAM names where: "" (off, the default), "stdout", or a file path that events are
appended to (one JSON object per line; a collector such as Vector, Fluent Bit or Filebeat tails
it). An event is shipped after its transaction commits, so a rolled-back change ships nothing.
Shipping never fails the write it describes: a full disk is logged, the event stays in the table.

Each line: {"at", "actor", "action", "object_type", "object_id", "summary", "details",
"ip_address", "host"}. The table remains the record; the stream is a copy somewhere an attacker
on this host cannot reach to edit it afterwards.
"""

from __future__ import annotations

import json
import logging
import socket
import sys
import threading
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)
_lock = threading.Lock()
_HOST = socket.gethostname()


def target() -> str:
    return str(getattr(settings, "HAVEN_AUDIT_STREAM", "") or "")


def line(values: dict[str, Any]) -> str:
    at = values.get("at") or timezone.now()
    record = {
        "at": at.isoformat() if hasattr(at, "isoformat") else str(at),
        "actor": values.get("actor_label", ""),
        "action": values.get("action", ""),
        "object_type": values.get("object_type", ""),
        "object_id": values.get("object_id", ""),
        "summary": values.get("summary", ""),
        "details": values.get("details") or {},
        "ip_address": values.get("ip_address"),
        "host": _HOST,
    }
    return json.dumps(record, ensure_ascii=False, default=str, separators=(",", ":"))


def ship(rows: list[dict[str, Any]]) -> None:
    where = target()
    if not where or not rows:
        return
    text = "".join(line(values) + "\n" for values in rows)
    transaction.on_commit(lambda: _write(where, text))


def _write(where: str, text: str) -> None:
    try:
        with _lock:
            if where == "stdout":
                sys.stdout.write(text)
                sys.stdout.flush()
            else:
                with open(where, "a", encoding="utf-8") as stream:
                    stream.write(text)
    except OSError:
        logger.exception("could not ship audit events to %s", where)
