"""Test settings: the same application, with fast hashing and an isolated database."""

from __future__ import annotations

import os

from .settings import *  # noqa: F403
from .settings import DATABASES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if "DATABASE_URL" not in os.environ:
    DATABASES["default"] = {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django empties tables between transactional tests with TRUNCATE, which the audit table
    # refuses unless this session setting is on (haven.common.triggers.truncate_refused).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c haven.truncate_allowed=on"
AXES_ENABLED = True
# Tests do not collect static files; WhiteNoise need not look for them.
WHITENOISE_AUTOREFRESH = True
