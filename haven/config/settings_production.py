"""Production settings: refuse to start with demo secrets, and secure every cookie."""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

from haven.common.deploy_checks import insecure_settings, rate_limit_cache_backend

from .settings import *  # noqa: F403
from .settings import (
    CACHES,
    HAVEN_EMAIL_INNER_BACKEND,
    IDENTIFIER_ENCRYPTION_KEYS,
    IDENTIFIER_HMAC_KEY,
    RATELIMIT_USE_CACHE,
    SECRET_KEY,
)

DEBUG = False
# A document nobody scanned stays quarantined unless this is said in so many words.
HAVEN_DOCUMENTS_ALLOW_UNSCANNED = os.environ.get("HAVEN_DOCUMENTS_ALLOW_UNSCANNED", "0") == "1"
# The same checks `haven check --deploy` runs (haven.common.deploy_checks), here so that a
# server with a demo key or the console mail backend never starts at all.
_problems = insecure_settings(
    secret_key=SECRET_KEY,
    hmac_key=IDENTIFIER_HMAC_KEY,
    encryption_keys=IDENTIFIER_ENCRYPTION_KEYS,
    # EMAIL_BACKEND is always the one-recipient guard; what it hands mail to is checked.
    email_backend=HAVEN_EMAIL_INNER_BACKEND,
    rate_limit_cache_backend=rate_limit_cache_backend(CACHES, RATELIMIT_USE_CACHE),
)
if not os.environ.get("HAVEN_EMAIL_BACKEND"):
    # The demo's default keeps mail in files under var/: nothing would reach the applicant.
    _problems.append(("haven.E006", "Set HAVEN_EMAIL_BACKEND to a real mail backend."))
if _problems:
    raise ImproperlyConfigured(" ".join(message for _check, message in _problems))

SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
