"""Case searches by POST, kept server-side under a short-lived id that is not the term.

A searched passport number or phone in a URL would land in access logs, browser history,
proxies and the audit table. The search form is POSTed; its filters are stored in the
user's session, encrypted (the session table is in the database too), under a random id;
the list is shown at `?search=<id>` (POST/redirect/GET, so reload and the back button work).
An id is only good in the session that made it and for HAVEN_CASE_SEARCH_TTL_SECONDS.

The audit trail keeps a keyed hash of the term (`crypto.search_term_hash`), never the term: an
investigator who knows a number can still find who searched for it, by hashing it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
import time
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase

from haven.common import crypto

from .selectors import CaseFilters

_SESSION_KEY = "haven_case_searches"
# A live search stores one id per pause in typing: only the latest few are kept.
_KEPT = 20
_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def _ttl() -> int:
    return int(getattr(settings, "HAVEN_CASE_SEARCH_TTL_SECONDS", 15 * 60))


def _as_dict(filters: CaseFilters) -> dict[str, str]:
    return {
        "q": filters.q,
        "status": filters.status,
        "channel": filters.channel,
        "received_from": filters.received_from.isoformat() if filters.received_from else "",
        "received_to": filters.received_to.isoformat() if filters.received_to else "",
    }


def _from_dict(data: dict[str, Any]) -> CaseFilters:
    def day(value: str) -> dt.date | None:
        return dt.date.fromisoformat(value) if value else None

    return CaseFilters(
        q=str(data.get("q", "")),
        status=str(data.get("status", "")),
        channel=str(data.get("channel", "")),
        received_from=day(str(data.get("received_from", ""))),
        received_to=day(str(data.get("received_to", ""))),
    )


def search_store(session: SessionBase, filters: CaseFilters) -> str:
    """Keep the filters in the session, encrypted; the id to show them under."""
    now = time.time()
    kept = {
        key: entry
        for key, entry in dict(session.get(_SESSION_KEY, {})).items()
        if entry.get("expires", 0) > now
    }
    search_id = secrets.token_urlsafe(16)
    kept[search_id] = {
        "filters": crypto.encrypt(json.dumps(_as_dict(filters))),
        "expires": now + _ttl(),
    }
    newest = sorted(kept.items(), key=lambda item: item[1]["expires"])[-_KEPT:]
    session[_SESSION_KEY] = dict(newest)
    return search_id


def search_load(session: SessionBase, search_id: str) -> CaseFilters | None:
    """The filters stored under this id in this session, or None (unknown or expired)."""
    if not _ID.match(search_id):
        return None
    entry = dict(session.get(_SESSION_KEY, {})).get(search_id)
    if not entry or entry.get("expires", 0) <= time.time():
        return None
    text = crypto.decrypt(entry["filters"])
    if text == crypto.UNREADABLE:
        return None
    return _from_dict(json.loads(text))


def filters_initial(filters: CaseFilters) -> dict[str, Any]:
    """The filters as the search form's initial values, to show what is being searched."""
    return {
        "q": filters.q,
        "status": filters.status,
        "channel": filters.channel,
        "received_from": filters.received_from,
        "received_to": filters.received_to,
    }
