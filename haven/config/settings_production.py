"""Production settings: refuse to start with demo secrets, and secure every cookie."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from .settings import *  # noqa: F403
from .settings import DEMO_SECRET_KEY, IDENTIFIER_HMAC_KEY, SECRET_KEY

DEBUG = False
if SECRET_KEY == DEMO_SECRET_KEY:
    raise ImproperlyConfigured("Set HAVEN_SECRET_KEY to a long random value in production.")
if IDENTIFIER_HMAC_KEY == "demo-hmac-key-change-me":
    raise ImproperlyConfigured("Set HAVEN_IDENTIFIER_HMAC_KEY in production.")

SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
