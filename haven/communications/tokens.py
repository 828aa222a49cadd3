"""Tokens that travel in messages: the reply token (which request a reply answers) and the
unsubscribe token (which address asked to stop). Neither carries personal data: the first
holds a request's number and a keyed check, the second the address's keyed hash."""

from __future__ import annotations

import hashlib
import hmac
import re

from django.conf import settings
from django.core import signing

_UNSUBSCRIBE_SALT = "haven.communications.unsubscribe"
_REPLY_IN_TEXT = re.compile(r"haven-r(\d{1,18})-([0-9a-f]{16})", re.I)
_REPLY_IN_BYTES = re.compile(rb"haven-r\d", re.I)


def _reply_check(request_id: int) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"reply:{request_id}".encode(), hashlib.sha256).hexdigest()[:16]


def reply_token(request_id: int) -> str:
    return f"haven-r{request_id}-{_reply_check(request_id)}"


def may_carry_token(raw: bytes) -> bool:
    """Whether a raw message could hold a reply token anywhere (a cheap test on the bytes,
    before its headers are parsed): thread headers and addresses are never encoded."""
    return _REPLY_IN_BYTES.search(raw) is not None


def request_id_in(text: str) -> int | None:
    """The request a reply answers, from any header that carries our token (In-Reply-To,
    References, the plus-address it was sent to), or None; a forged check is ignored."""
    for match in _REPLY_IN_TEXT.finditer(text or ""):
        request_id = int(match.group(1))
        if hmac.compare_digest(match.group(2).lower(), _reply_check(request_id)):
            return request_id
    return None


def unsubscribe_token(channel: str, address_hash: str) -> str:
    return signing.dumps({"c": channel, "h": address_hash}, salt=_UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_read(token: str) -> tuple[str, str] | None:
    try:
        data = signing.loads(token, salt=_UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not {"c", "h"} <= set(data):
        return None
    return str(data["c"]), str(data["h"])
