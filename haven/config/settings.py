"""Settings for Haven.

Everything that differs between a laptop demo and production comes from the
environment, so one settings module serves both; `settings_production` only
tightens what must be tight, and `settings_test` only speeds tests up.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.conf.locale import LANG_INFO
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("HAVEN_VAR_DIR", BASE_DIR / "var"))


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = _env_bool("HAVEN_DEBUG", False)
# The demo key is only for a laptop demo; production settings refuse it.
DEMO_SECRET_KEY = "haven-demo-key-not-for-production-use-0123456789abcdefghijklmnop"  # noqa: S105
SECRET_KEY = os.environ.get("HAVEN_SECRET_KEY", DEMO_SECRET_KEY)
# Keys for identifiers: HMAC for exact look-up, Fernet for encryption at rest.
# Kept apart from SECRET_KEY so that rotating sessions never orphans data.
IDENTIFIER_HMAC_KEY = os.environ.get("HAVEN_IDENTIFIER_HMAC_KEY", "demo-hmac-key-change-me")
IDENTIFIER_ENCRYPTION_KEYS = [
    key
    for key in os.environ.get(
        "HAVEN_IDENTIFIER_ENCRYPTION_KEYS",
        # A valid Fernet key for the demo only.
        "ZGVtby1maWVsZC1lbmNyeXB0aW9uLWtleS0wMDAwMDA=",
    ).split(",")
    if key
]

ALLOWED_HOSTS = [
    h for h in os.environ.get("HAVEN_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h
]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("HAVEN_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "axes",
    "django_tasks",
    "django_tasks_db",
    # Haven's own apps: what underpins all, then in the order work flows through them.
    "haven.common",
    "haven.accounts",
    "haven.audit",
    "haven.intake",
    "haven.resolution",
    "haven.triage",
    "haven.cases",
    "haven.referrals",
    "haven.reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "haven.audit.middleware.RequestContextMiddleware",
    # Last, so that lock-outs apply after authentication has been tried.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "haven.config.urls"
WSGI_APPLICATION = "haven.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "haven" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "haven.accounts.context_processors.role",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'haven.sqlite3'}"),
        conn_max_age=int(os.environ.get("HAVEN_DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # WAL lets the web server read while a seed or import writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "cases:list"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# django-axes: lock an account and address pair after repeated failures.
AXES_FAILURE_LIMIT = int(os.environ.get("HAVEN_LOGIN_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"

SESSION_COOKIE_AGE = 60 * 60 * 8  # one working shift
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LANGUAGE_CODE = "en"
# Dari is written as Persian of Afghanistan ("fa-af") so that Django's own
# Persian strings serve as a fallback; Pashto has no Django locale, so it is
# declared here.
LANG_INFO.setdefault("ps", {"bidi": True, "code": "ps", "name": "Pashto", "name_local": "پښتو"})
LANG_INFO.setdefault("fa-af", {"bidi": True, "code": "fa-af", "name": "Dari", "name_local": "دری"})
LANGUAGES = [
    ("en", _("English")),
    ("fa-af", _("Dari")),
    ("ps", _("Pashto")),
]
LANGUAGES_BIDI = ["he", "ar", "fa", "fa-af", "ps", "ur"]
LOCALE_PATHS = [BASE_DIR / "haven" / "locale"]
TIME_ZONE = os.environ.get("HAVEN_TIME_ZONE", "Asia/Karachi")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "haven" / "static"]
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(VAR_DIR / "documents")},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Documents are never served by URL; they are streamed by a view that checks access.
MEDIA_ROOT = VAR_DIR / "documents"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
HAVEN_MAX_UPLOAD_BYTES = int(os.environ.get("HAVEN_MAX_UPLOAD_BYTES", str(50 * 1024 * 1024)))
# Past this many rows, a spreadsheet is read in a second process while this one checks and
# stores its rows (intake.importing.readahead); a shorter list gains nothing from it.
HAVEN_IMPORT_READ_AHEAD_AFTER_ROWS = int(
    os.environ.get("HAVEN_IMPORT_READ_AHEAD_AFTER_ROWS", "5000")
)

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Downstream apps fill these steps in; intake calls them in order inside the
# transaction that stores a request, without importing the downstream apps.
# How a case's pathway code reads to staff (triage owns the pathways; cases only shows them).
HAVEN_PATHWAY_LABEL = "haven.triage.pathways.pathway_label"

# The partner API checks the `facts` object it accepts against triage's fact schema through
# this hook (intake never imports triage): called as check(raw) -> (cleaned, [(fact, message)]).
HAVEN_FACTS_CHECK = "haven.triage.facts.facts_problems"
HAVEN_INTAKE_PIPELINE = [
    "haven.resolution.pipeline.resolve_request_people",
    "haven.cases.pipeline.attach_request_to_case",
    # After the case exists: triage it under the active guidance.
    "haven.triage.pipeline.triage_new_case",
    # Last: each request's public status follows its case (received, or under review once
    # triaged; a request joining a case takes that case's status).
    "haven.cases.public_status.requests_public_status_sync",
]
# Downstream apps contribute panels to the case page without cases importing them:
# each entry is a callable (case, user) -> CasePanel | None (see haven/cases/panels.py).
HAVEN_CASE_PANELS: list[str] = ["haven.triage.panels.triage_panel"]
# Downstream apps follow merges and re-links of people without resolution importing them: each
# is called as handler(change=PeopleChange, actor=) inside the transaction that changed the
# people (see haven/resolution/services.py, people_changed_notify).
HAVEN_PEOPLE_CHANGED_HANDLERS: list[str] = ["haven.cases.people_changes.people_changed"]
# The country most phone numbers are written for when no prefix is given.
# The receipt: how long the officer who made a request can see its status secret again
# (kept encrypted in their session), and what the printed receipt tells the applicant.
HAVEN_RECEIPT_SECRET_MINUTES = int(os.environ.get("HAVEN_RECEIPT_SECRET_MINUTES", "15"))
# The public status page's address as applicants should type it; blank: this site's /status/.
HAVEN_PUBLIC_STATUS_URL = os.environ.get("HAVEN_PUBLIC_STATUS_URL", "")
HAVEN_HELPLINE = os.environ.get("HAVEN_HELPLINE", "")
HAVEN_DEFAULT_PHONE_REGION = os.environ.get("HAVEN_DEFAULT_PHONE_REGION", "AF")
HAVEN_PHONE_FALLBACK_REGIONS = [
    r for r in os.environ.get("HAVEN_PHONE_FALLBACK_REGIONS", "PK,IR").split(",") if r
]

# The cache that counts rate limits (the status page per address, the API per token). Without
# HAVEN_CACHE_URL each server process counts on its own (Django's local-memory cache), so a
# limit lets through up to once per process; with it (redis://host:6379/0), every process
# counts in one place, as production should.
if os.environ.get("HAVEN_CACHE_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["HAVEN_CACHE_URL"],
            "KEY_PREFIX": "haven",
        }
    }

# Partner API: requests per minute per token, the cache that counts them, and how long
# idempotency keys replay.
HAVEN_API_RATE_LIMIT_PER_MINUTE = int(os.environ.get("HAVEN_API_RATE_LIMIT_PER_MINUTE", "600"))
HAVEN_API_RATE_LIMIT_CACHE = "default"
HAVEN_API_IDEMPOTENCY_TTL_HOURS = float(os.environ.get("HAVEN_API_IDEMPOTENCY_TTL_HOURS", "24"))

EMAIL_BACKEND = os.environ.get(
    "HAVEN_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("HAVEN_FROM_EMAIL", "haven@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("HAVEN_LOG_LEVEL", "WARNING")},
}
