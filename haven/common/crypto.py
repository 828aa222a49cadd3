"""Keyed hashing and encryption for identifiers.

Identifiers (passport, Tazkira, SIV case numbers, phones) are what makes a
leaked list lethal, so they are stored encrypted, and exact look-up uses an
HMAC of the normalised value instead of the value itself.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


def keyed_hash(kind: str, normalized_value: str) -> str:
    """HMAC-SHA256 of a normalised identifier, namespaced by its kind."""
    key = settings.IDENTIFIER_HMAC_KEY.encode()
    message = f"{kind}:{normalized_value}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


_SEPARATORS = re.compile(r"[\s\-./]")


def search_term_hash(term: str) -> str:
    """What the audit trail keeps of a search term: its keyed hash, so a searched passport
    or phone is never stored, while whoever knows a number can still find who searched for
    it. Case, spaces, dashes, dots and slashes, and Dari/Pashto digits (any Unicode decimal
    digit, by NFKC and int()) do not change it: "P 1234-5678" hashes as "p12345678"."""
    text = unicodedata.normalize("NFKC", term).casefold()
    digits = "".join(str(unicodedata.digit(ch)) if ch.isdecimal() else ch for ch in text)
    return keyed_hash("search", _SEPARATORS.sub("", digits))


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    # MultiFernet encrypts with the first key and decrypts with any, so keys can be rotated.
    return MultiFernet([Fernet(k.encode()) for k in keys])


def encrypt(plaintext: str) -> str:
    return _fernet(tuple(settings.IDENTIFIER_ENCRYPTION_KEYS)).encrypt(plaintext.encode()).decode()


def encrypt_bytes(data: bytes) -> bytes:
    """A file's bytes encrypted with the same keys (a case document at rest): Fernet is
    authenticated, so a stored file changed on disk fails to decrypt instead of being served."""
    return _fernet(tuple(settings.IDENTIFIER_ENCRYPTION_KEYS)).encrypt(data)


def decrypt_bytes(token: bytes) -> bytes:
    """encrypt_bytes undone; raises InvalidToken when no configured key opens it."""
    return _fernet(tuple(settings.IDENTIFIER_ENCRYPTION_KEYS)).decrypt(token)


# What a value we cannot decrypt (its key is gone from the settings) reads as.
UNREADABLE = "[unreadable]"


def decrypt_strict(token: str) -> str:
    """decrypt, raising InvalidToken when no configured key opens the token: for code that
    must stop rather than carry on with the marker (a migration rewriting rows)."""
    return _fernet(tuple(settings.IDENTIFIER_ENCRYPTION_KEYS)).decrypt(token.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return decrypt_strict(token)
    except InvalidToken:
        # A value we cannot decrypt is shown as unreadable rather than crashing a page.
        return UNREADABLE


# Crockford's base32: no I, L, O or U, so a secret copied by hand or read aloud survives.
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})


def crockford_canonical(text: str) -> str:
    """Upper case, separators dropped, look-alike letters read as the digits they resemble."""
    return "".join(ch for ch in text.upper() if ch.isalnum()).translate(_LOOKALIKES)


def random_base32(nchars: int) -> str:
    """nchars Crockford base32 characters from the system's CSPRNG (5 bits each): one call to
    the random source, not one per character, which counts at 100,000 receipts."""
    number = secrets.randbits(5 * nchars)
    return "".join(CROCKFORD[(number >> (5 * i)) & 31] for i in range(nchars))


def new_secret(nchars: int = 26) -> str:
    """A random status secret: 26 base32 characters are 130 bits, shown in groups of five."""
    body = random_base32(nchars)
    return "-".join(body[i : i + 5] for i in range(0, nchars, 5))


def hash_secret(secret: str) -> str:
    """Hash for a high-entropy secret (not a password, so no slow hash is needed)."""
    return keyed_hash("status-secret", crockford_canonical(secret))


def secret_matches(secret: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_secret(secret), stored_hash)
