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

import json
import re
import secrets
import time

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase

from haven.common import crypto

_SESSION_KEY = "haven_case_searches"
# A live search stores one id per pause in typing: only the latest few are kept.
_KEPT = 20
_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def _ttl() -> int:
    return int(getattr(settings, "HAVEN_CASE_SEARCH_TTL_SECONDS", 15 * 60))


def search_store(session: SessionBase, data: dict[str, str]) -> str:
    """Keep what the search form sent in the session, encrypted; the id to show it under."""
    now = time.time()
    kept = {
        key: entry
        for key, entry in dict(session.get(_SESSION_KEY, {})).items()
        if entry.get("expires", 0) > now
    }
    search_id = secrets.token_urlsafe(16)
    kept[search_id] = {"filters": crypto.encrypt(json.dumps(data)), "expires": now + _ttl()}
    newest = sorted(kept.items(), key=lambda item: item[1]["expires"])[-_KEPT:]
    session[_SESSION_KEY] = dict(newest)
    return search_id


def search_load(session: SessionBase, search_id: str) -> dict[str, str] | None:
    """The form data stored under this id in this session, or None (unknown or expired)."""
    if not _ID.match(search_id):
        return None
    entry = dict(session.get(_SESSION_KEY, {})).get(search_id)
    if not entry or entry.get("expires", 0) <= time.time():
        return None
    text = crypto.decrypt(entry["filters"])
    if text == crypto.UNREADABLE:
        return None
    data = json.loads(text)
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else None
