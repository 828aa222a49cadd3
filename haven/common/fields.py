"""Model fields that keep personal data encrypted at rest."""

from __future__ import annotations

import json
import logging
from typing import Any

from cryptography.fernet import InvalidToken
from django.core.exceptions import FieldError
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper

from . import crypto

logger = logging.getLogger(__name__)


class _Plaintext(str):
    """A decrypted value that remembers the ciphertext it was read from.

    Fernet is randomised: encrypting the same text twice gives two different tokens. Saving
    a loaded row whole would otherwise rewrite the column with a new token, which a
    write-once trigger refuses and which changes stored bytes for nothing; with this, the
    unchanged value is written back as the very token it came from. Any edit of the text
    gives a plain str, encrypted afresh."""

    ciphertext: str


def _plaintext(text: str, ciphertext: str) -> _Plaintext:
    value = _Plaintext(text)
    value.ciphertext = ciphertext
    return value


def with_token(text: str, token: str) -> str:
    """`text`, which an encrypted field stores as `token` (crypto.encrypt of it): for a writer
    storing one text in many rows, with one encryption instead of one per row."""
    return _plaintext(text, token)


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]  # stored as text, read as str
    """Text stored as a Fernet token under settings.IDENTIFIER_ENCRYPTION_KEYS (crypto):
    Python code, instances and .values() see the plaintext; the column holds only tokens.

    The database cannot look inside a token, and two tokens of one text differ, so every
    lookup but isnull (contains, exact, in, ...) is refused with a FieldError rather than
    silently matching nothing; ordering by the field or a database function over it works
    on tokens and means nothing. A token no configured key opens is logged and read as
    crypto.UNREADABLE (carrying the token, so saving the row whole keeps the token).

    An empty text is stored empty: that a blank field is blank gives nothing away, and most
    optional fields of a request are blank (a surge stores hundreds of thousands)."""

    _LOOKUPS = frozenset({"isnull"})

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        if isinstance(value, _Plaintext):
            return value.ciphertext
        return crypto.encrypt(value)

    def from_db_value(
        self, value: str | None, expression: Any, connection: BaseDatabaseWrapper
    ) -> str | None:
        if value is None:
            return None
        if value == "":
            # An empty text is stored empty (see get_prep_value), and so is one erased by
            # retention; carried as its own "ciphertext" so saving the row whole keeps it.
            return _plaintext("", value)
        try:
            return _plaintext(crypto.decrypt_strict(value), value)
        except InvalidToken:
            # A lost key (or a row written around the field) must not crash a page.
            logger.warning(
                "%s.%s: a stored value could not be decrypted with "
                "IDENTIFIER_ENCRYPTION_KEYS; shown as %s",
                self.model._meta.label,
                self.name,
                crypto.UNREADABLE,
            )
            return _plaintext(crypto.UNREADABLE, value)

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name not in self._LOOKUPS:
            raise self._refused(lookup_name)
        return super().get_lookup(lookup_name)

    def get_transform(self, lookup_name: str) -> Any:
        raise self._refused(lookup_name)

    def _refused(self, lookup_name: str) -> FieldError:
        return FieldError(
            f"{self.model._meta.label}.{self.name} is encrypted at rest: the database cannot "
            f"filter on it with '{lookup_name}' (only isnull); read the rows and compare in Python."
        )


class EncryptedJSONField(EncryptedTextField):
    """JSON (lists, dicts) stored as one Fernet token of its text, like EncryptedTextField:
    for the free-form structures that carry what people wrote (a rejected row's cells, a dry
    run's findings). Python sees the structure; the database sees a token and can filter on
    nothing but isnull."""

    # For django-stubs: what the attribute takes and gives (JSON values, not str).
    _pyi_private_set_type: Any
    _pyi_private_get_type: Any

    def get_prep_value(self, value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, _Plaintext):
            return value.ciphertext
        return crypto.encrypt(json.dumps(value, ensure_ascii=False, separators=(",", ":")))

    def to_python(self, value: Any) -> Any:
        return value

    def from_db_value(
        self, value: str | None, expression: Any, connection: BaseDatabaseWrapper
    ) -> Any:
        if value is None:
            return None
        text = super().from_db_value(value, expression, connection)
        if text == crypto.UNREADABLE or not text:
            # Logged by the parent; an empty structure of the field's kind keeps pages working.
            return self.get_default()
        return json.loads(text)

    def value_to_string(self, obj: models.Model) -> str:
        return json.dumps(self.value_from_object(obj), ensure_ascii=False)
