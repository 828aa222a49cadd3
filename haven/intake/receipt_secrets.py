"""The status secret of a request just made, kept for the officer who made it.

The secret is stored only as a keyed hash, so it can be shown only to whoever is holding it
right after creation (or re-issue). Reloading the receipt, switching its language or the
interface's, or printing it again must not lose it, yet it must not stay readable for long:
the session keeps it encrypted (Fernet, the identifier keys), for the user who made it only,
for settings.HAVEN_RECEIPT_SECRET_MINUTES (15).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.utils import timezone

from haven.common import crypto

SESSION_KEY = "haven_receipt_secrets"


def _window() -> dt.timedelta:
    return dt.timedelta(minutes=float(getattr(settings, "HAVEN_RECEIPT_SECRET_MINUTES", 15)))


def _live(session: SessionBase, now: dt.datetime) -> dict[str, dict[str, Any]]:
    kept: dict[str, dict[str, Any]] = session.get(SESSION_KEY, {})
    live = {n: e for n, e in kept.items() if e.get("until", 0) > now.timestamp()}
    if live != kept:
        session[SESSION_KEY] = live  # expired secrets leave the session at the first look
    return live


def secret_keep(*, session: SessionBase, receipt_number: str, secret: str, user_id: int) -> None:
    """Remember `secret` for `user_id` for the window (a newer one replaces it)."""
    now = timezone.now()
    kept = _live(session, now)
    kept[receipt_number] = {
        "user": user_id,
        "until": (now + _window()).timestamp(),
        "token": crypto.encrypt(secret),
    }
    session[SESSION_KEY] = kept


def secret_recall(*, session: SessionBase, receipt_number: str, user_id: int) -> str | None:
    """The secret if this user made it within the window, else None."""
    entry = _live(session, timezone.now()).get(receipt_number)
    if entry is None or entry.get("user") != user_id:
        return None
    secret = crypto.decrypt(str(entry.get("token", "")))
    return None if secret == crypto.UNREADABLE else secret


def secret_minutes() -> int:
    return int(_window().total_seconds() // 60)
