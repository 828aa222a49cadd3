"""What production must not run with: demo keys, mail written to the server's log, and rate
limits counted by each process on its own.

`settings_production` refuses to start on any of these, and `haven check --deploy` reports
them as errors under any settings (haven.common.apps registers `deploy_check`).
"""

from __future__ import annotations

from typing import Any

from cryptography.fernet import Fernet

# The demo's values, as committed in haven/config/settings.py.
DEMO_SECRET_KEY = "haven-demo-key-not-for-production-use-0123456789abcdefghijklmnop"  # noqa: S105
DEMO_IDENTIFIER_HMAC_KEY = "demo-hmac-key-change-me"
DEMO_IDENTIFIER_ENCRYPTION_KEY = "ZGVtby1maWVsZC1lbmNyeXB0aW9uLWtleS0wMDAwMDA="
# Backends that print messages (addresses, status secrets) where logs go.
LOGGING_EMAIL_BACKENDS = {"django.core.mail.backends.console.EmailBackend"}
# Caches that cannot count rate limits for a server of several processes: each gunicorn
# worker would count on its own (LocMem), or nothing would be counted at all (Dummy).
# django-ratelimit's own check is not used (its app is not installed): it also refuses the
# database cache, which is Haven's shared default, for increments that are not atomic.
UNSHARED_CACHE_BACKENDS = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


def insecure_settings(
    *,
    secret_key: str,
    hmac_key: str,
    encryption_keys: list[str],
    email_backend: str,
    rate_limit_cache_backend: str = "",
) -> list[tuple[str, str]]:
    """Each thing wrong with these settings for production: (check id, what to set)."""
    problems: list[tuple[str, str]] = []
    if secret_key == DEMO_SECRET_KEY:
        problems.append(
            ("haven.E001", "Set HAVEN_SECRET_KEY to a long random value in production.")
        )
    if hmac_key == DEMO_IDENTIFIER_HMAC_KEY:
        problems.append(("haven.E002", "Set HAVEN_IDENTIFIER_HMAC_KEY in production."))
    if not encryption_keys or DEMO_IDENTIFIER_ENCRYPTION_KEY in encryption_keys:
        problems.append(
            (
                "haven.E003",
                "Set HAVEN_IDENTIFIER_ENCRYPTION_KEYS to your own Fernet keys in production "
                "(the demo key is in the public repository).",
            )
        )
    else:
        for key in encryption_keys:
            try:
                Fernet(key)
            except ValueError:
                problems.append(
                    (
                        "haven.E004",
                        "HAVEN_IDENTIFIER_ENCRYPTION_KEYS holds a value that is not a Fernet key "
                        "(32 url-safe base64-encoded bytes).",
                    )
                )
                break
    if email_backend in LOGGING_EMAIL_BACKENDS:
        problems.append(
            (
                "haven.E005",
                "HAVEN_EMAIL_BACKEND is the console backend, which writes applicants' addresses "
                "and status secrets to the server's log: name a real mail backend.",
            )
        )
    if rate_limit_cache_backend in UNSHARED_CACHE_BACKENDS:
        problems.append(
            (
                "haven.E007",
                f"The cache that counts rate limits is {rate_limit_cache_backend}, which is not "
                "shared by the server's processes: set HAVEN_CACHE_URL (Redis) or keep the "
                "database cache.",
            )
        )
    return problems


def rate_limit_cache_backend(caches: dict[str, Any], name: str) -> str:
    """The backend of the cache django-ratelimit counts in (settings.RATELIMIT_USE_CACHE)."""
    return str(caches.get(name, {}).get("BACKEND", ""))


def deploy_check(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    from django.conf import settings
    from django.core.checks import Error

    problems = insecure_settings(
        secret_key=settings.SECRET_KEY,
        hmac_key=settings.IDENTIFIER_HMAC_KEY,
        encryption_keys=list(settings.IDENTIFIER_ENCRYPTION_KEYS),
        # EMAIL_BACKEND is the one-recipient guard; the backend behind it is what sends.
        email_backend=getattr(settings, "HAVEN_EMAIL_INNER_BACKEND", settings.EMAIL_BACKEND),
        rate_limit_cache_backend=rate_limit_cache_backend(
            settings.CACHES, getattr(settings, "RATELIMIT_USE_CACHE", "default")
        ),
    )
    return [Error(message, id=check_id) for check_id, message in problems]
