"""Test settings: the same application, with fast hashing and an isolated database."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .settings import *  # noqa: F403
from .settings import DATABASES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# The one-recipient guard stays in front, as in production.
HAVEN_EMAIL_INNER_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
HAVEN_SMS_CHANNEL = "locmem"
HAVEN_MESSAGE_QUIET_HOURS = ""  # tests of quiet hours set them
HAVEN_SMS_RATE_PER_SECOND = 0.0
HAVEN_TWILIO_ACCOUNT_SID = "ACtest"
HAVEN_TWILIO_AUTH_TOKEN = "test-auth-token"  # noqa: S105
HAVEN_TWILIO_FROM = "+15005550006"
HAVEN_TWILIO_STATUS_CALLBACK = "http://testserver/communications/webhooks/sms/status/"
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
# Case documents go to a folder of this test run, never to var/ (cases/document_store.py).
HAVEN_DOCUMENT_ROOT = Path(tempfile.gettempdir()) / f"haven-test-documents-{os.getpid()}"
HAVEN_CLAMD_URL = ""
HAVEN_DOCUMENTS_ALLOW_UNSCANNED = True
# Tests do not collect static files; WhiteNoise need not look for them.
WHITENOISE_AUTOREFRESH = True
