"""Settings for Haven.

Everything that differs between a laptop demo and production comes from the
environment, so one settings module serves both; `settings_production` only
tightens what must be tight, and `settings_test` only speeds tests up.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.conf.locale import LANG_INFO
from django.utils.translation import gettext_lazy as _

from haven.common.deploy_checks import (
    DEMO_IDENTIFIER_ENCRYPTION_KEY,
    DEMO_IDENTIFIER_HMAC_KEY,
    DEMO_SECRET_KEY,
)

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("HAVEN_VAR_DIR", BASE_DIR / "var"))


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = _env_bool("HAVEN_DEBUG", False)
# The demo keys are only for a laptop demo; production settings (and check --deploy) refuse them.
SECRET_KEY = os.environ.get("HAVEN_SECRET_KEY", DEMO_SECRET_KEY)
# Keys for identifiers: HMAC for exact look-up, Fernet for encryption at rest.
# Kept apart from SECRET_KEY so that rotating sessions never orphans data.
IDENTIFIER_HMAC_KEY = os.environ.get("HAVEN_IDENTIFIER_HMAC_KEY", DEMO_IDENTIFIER_HMAC_KEY)
IDENTIFIER_ENCRYPTION_KEYS = [
    key.strip()
    for key in os.environ.get(
        "HAVEN_IDENTIFIER_ENCRYPTION_KEYS", DEMO_IDENTIFIER_ENCRYPTION_KEY
    ).split(",")
    if key.strip()
]

ALLOWED_HOSTS = [
    h for h in os.environ.get("HAVEN_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h
]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("HAVEN_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    # First, so that its createsuperuser (which refuses, pointing to `haven user create`)
    # replaces Django's: the first app listed wins a command's name.
    "haven.accounts",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # Security keys and passkeys (WebAuthn): its credential model and py_webauthn checks; the
    # views and script are Haven's own (haven/accounts/security_keys.py).
    "django_otp_webauthn",
    # Haven's own apps: what underpins all, then in the order work flows through them.
    # haven.common comes before django_tasks_db so that its `db_worker` (which reconnects when
    # the database restarts) is the one `haven db_worker` runs.
    "haven.common",
    "django_tasks",
    "django_tasks_db",
    "haven.audit",
    "haven.intake",
    "haven.resolution",
    "haven.cases",
    "haven.triage",
    "haven.referrals",
    "haven.communications",
    "haven.reports",
    # In the import order retention sits over triage and under referrals (docs/architecture.md);
    # listed last because it erases a case's personal data from the apps before it.
    "haven.retention",
    # The top of the order: composes the apps above (haven/config/flow.py).
    "haven.config",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # No personal data before the second factor (haven/accounts/middleware.py).
    "haven.accounts.middleware.SecondFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Idle timeout and absolute lifetime of staff sessions (HAVEN_SESSION_*).
    "haven.accounts.sessions.SessionTimeoutMiddleware",
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
                "haven.cases.alerts_menu.alert_count",
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
    "haven.accounts.login_delay.LoginDelayBackend",
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

# Behind reverse proxies: how many of them stand in front of Haven, so whose X-Forwarded-For
# entries are believed (haven.common.client). 0: none, X-Forwarded-For is ignored.
HAVEN_TRUSTED_PROXY_COUNT = int(os.environ.get("HAVEN_TRUSTED_PROXY_COUNT", "0"))

# Log-ins per user name, from any address: after this many failures, each further attempt
# waits 2, 4, 8… seconds (up to the maximum), refused with the usual message even when the
# password is right (haven.accounts.login_delay). No hard lock: an attacker cannot lock staff out.
HAVEN_LOGIN_DELAY_AFTER_FAILURES = int(os.environ.get("HAVEN_LOGIN_DELAY_AFTER_FAILURES", "5"))
HAVEN_LOGIN_MAX_DELAY_SECONDS = int(os.environ.get("HAVEN_LOGIN_MAX_DELAY_SECONDS", "900"))

# django-axes: lock an account and address pair after repeated failures (an address guessing
# many passwords; the address as haven.common.client reads it).
AXES_CLIENT_IP_CALLABLE = "haven.common.client.client_address"
AXES_FAILURE_LIMIT = int(os.environ.get("HAVEN_LOGIN_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"

# Where people reach Haven: one-time links (invitations, password resets) start with it.
HAVEN_BASE_URL = os.environ.get("HAVEN_BASE_URL", "http://127.0.0.1:8000")
# One-time links (invitation, password reset) stop working after this many seconds.
PASSWORD_RESET_TIMEOUT = int(os.environ.get("HAVEN_ONE_TIME_LINK_SECONDS", str(3 * 24 * 3600)))
# Two-factor (django-otp): the name an authenticator app shows.
OTP_TOTP_ISSUER = os.environ.get("HAVEN_OTP_ISSUER", "Haven")
# Security keys and passkeys (WebAuthn). The relying party ID is the host name keys are bound
# to (no scheme, no port; an IP address is not allowed by browsers, so the demo is opened at
# http://localhost:8000 to use a key); the origins are every address Haven is opened at, scheme
# and port included (https:// except on localhost). Changing the ID later orphans every key.
HAVEN_WEBAUTHN_RP_ID = os.environ.get("HAVEN_WEBAUTHN_RP_ID", "localhost")
HAVEN_WEBAUTHN_ORIGINS = [
    o.strip().rstrip("/")
    for o in os.environ.get("HAVEN_WEBAUTHN_ORIGINS", "http://localhost:8000").split(",")
    if o.strip()
]
# How long a challenge (and the browser's prompt) lasts, in seconds.
HAVEN_WEBAUTHN_TIMEOUT_SECONDS = int(os.environ.get("HAVEN_WEBAUTHN_TIMEOUT_SECONDS", "180"))
# django-otp-webauthn's own names for them, read by its system checks.
OTP_WEBAUTHN_RP_ID = HAVEN_WEBAUTHN_RP_ID
OTP_WEBAUTHN_RP_NAME = OTP_TOTP_ISSUER
OTP_WEBAUTHN_ALLOWED_ORIGINS = HAVEN_WEBAUTHN_ORIGINS
# A key is a second factor after the password here, never a log-in on its own.
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
OTP_WEBAUTHN_TIMEOUT_SECONDS = HAVEN_WEBAUTHN_TIMEOUT_SECONDS

# A staff session ends after HAVEN_SESSION_IDLE_MINUTES without a request (30) and, however
# active, HAVEN_SESSION_MAX_HOURS after log-in (12; it never slides): a desk left unattended
# at a checkpoint, or a session cookie copied off a shared machine, stops working.
HAVEN_SESSION_IDLE_MINUTES = float(os.environ.get("HAVEN_SESSION_IDLE_MINUTES", "30"))
HAVEN_SESSION_MAX_HOURS = float(os.environ.get("HAVEN_SESSION_MAX_HOURS", "12"))
SESSION_COOKIE_AGE = int(HAVEN_SESSION_MAX_HOURS * 60 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy (django-csp): scripts and styles only from Haven's own static files;
# no inline script, event handler or style attribute anywhere (a test scans the templates),
# so an injected <script> or onerror= does not run. htmx is told not to inject its indicator
# style (the htmx-config meta tag in base.html).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

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
# Case documents (cases/document_files.py): stored encrypted under random names in this
# folder, outside any web root (nothing serves it by URL; cases/views_documents.py streams a
# document after checking access). At most this size each, images at most this many pixels.
HAVEN_DOCUMENT_ROOT = Path(os.environ.get("HAVEN_DOCUMENT_ROOT", str(VAR_DIR / "case-documents")))
HAVEN_DOCUMENT_MAX_BYTES = int(os.environ.get("HAVEN_DOCUMENT_MAX_BYTES", str(15 * 1024 * 1024)))
HAVEN_DOCUMENT_MAX_PIXELS = int(os.environ.get("HAVEN_DOCUMENT_MAX_PIXELS", str(40_000_000)))
# ClamAV's daemon, "tcp://host:3310" or "unix:///run/clamav/clamd.ctl"; empty: no scanner.
HAVEN_CLAMD_URL = os.environ.get("HAVEN_CLAMD_URL", "")
HAVEN_CLAMD_TIMEOUT_SECONDS = float(os.environ.get("HAVEN_CLAMD_TIMEOUT_SECONDS", "20"))
# Without a scanner, documents are kept "not scanned" and can be downloaded (the demo);
# production sets this off, so an unscanned document stays quarantined (settings_production).
HAVEN_DOCUMENTS_ALLOW_UNSCANNED = os.environ.get("HAVEN_DOCUMENTS_ALLOW_UNSCANNED", "1") == "1"
# Zip-bomb bounds for XLSX, checked before anything is unpacked: what a workbook may unpack
# to in all, and how many times its packed size one part may unpack to.
HAVEN_IMPORT_MAX_UNCOMPRESSED_BYTES = int(
    os.environ.get("HAVEN_IMPORT_MAX_UNCOMPRESSED_BYTES", str(1024 * 1024 * 1024))
)
HAVEN_IMPORT_MAX_COMPRESSION_RATIO = float(
    os.environ.get("HAVEN_IMPORT_MAX_COMPRESSION_RATIO", "200")
)
# A case search is kept server-side this long under its id (cases/search.py).
HAVEN_CASE_SEARCH_TTL_SECONDS = int(os.environ.get("HAVEN_CASE_SEARCH_TTL_SECONDS", "900"))

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Audit events as JSON lines for a log collector: "" (off), "stdout", or a file to append to.
HAVEN_AUDIT_STREAM = os.environ.get("HAVEN_AUDIT_STREAM", "")
HAVEN_AUDIT_EXPORT_MAX_ROWS = int(os.environ.get("HAVEN_AUDIT_EXPORT_MAX_ROWS", "100000"))
# Dangerous actions that need a second supervisor's approval before they run
# (haven/accounts/approvals.py), e.g. HAVEN_SECOND_APPROVER_FOR=guidance_activate.
HAVEN_SECOND_APPROVER_FOR = [
    a for a in os.environ.get("HAVEN_SECOND_APPROVER_FOR", "").split(",") if a.strip()
]
# With referral_bulk in HAVEN_SECOND_APPROVER_FOR, a bulk referral sending more than this many
# waits for a supervisor's approval (case_merge there makes every merge wait for one).
HAVEN_REFERRAL_BULK_APPROVAL_ABOVE = int(
    os.environ.get("HAVEN_REFERRAL_BULK_APPROVAL_ABOVE", "100")
)
# Retention: personal data of cases closed more than this many days ago is erased by the
# `retention` job of `haven tick` (0 turns it off); a legal hold on a case stops it.
HAVEN_RETENTION_CLOSED_CASE_DAYS = int(os.environ.get("HAVEN_RETENTION_CLOSED_CASE_DAYS", "730"))
# Live e-mail intake: an IMAP mailbox polled read-only by `haven tick` (and by
# `haven import-mail --imap`); blank host: off. The password comes from the environment only.
HAVEN_IMAP_HOST = os.environ.get("HAVEN_IMAP_HOST", "")
HAVEN_IMAP_PORT = int(os.environ.get("HAVEN_IMAP_PORT", "0"))  # 0: 993 with TLS, 143 without
HAVEN_IMAP_SSL = os.environ.get("HAVEN_IMAP_SSL", "1") not in ("0", "false", "no")
HAVEN_IMAP_USER = os.environ.get("HAVEN_IMAP_USER", "")
HAVEN_IMAP_PASSWORD = os.environ.get("HAVEN_IMAP_PASSWORD", "")
HAVEN_IMAP_FOLDER = os.environ.get("HAVEN_IMAP_FOLDER", "INBOX")
HAVEN_IMAP_RETRIES = int(os.environ.get("HAVEN_IMAP_RETRIES", "3"))
HAVEN_IMAP_TIMEOUT_SECONDS = int(os.environ.get("HAVEN_IMAP_TIMEOUT_SECONDS", "30"))
# The receipt: how long the officer who made a request can see its status secret again
# (kept encrypted in their session), and what the printed receipt tells the applicant.
HAVEN_RECEIPT_SECRET_MINUTES = int(os.environ.get("HAVEN_RECEIPT_SECRET_MINUTES", "15"))
# The public status page's address as applicants should type it; blank: this site's /status/.
HAVEN_PUBLIC_STATUS_URL = os.environ.get("HAVEN_PUBLIC_STATUS_URL", "")
HAVEN_HELPLINE = os.environ.get("HAVEN_HELPLINE", "")
# The country most phone numbers are written for when no prefix is given.
HAVEN_DEFAULT_PHONE_REGION = os.environ.get("HAVEN_DEFAULT_PHONE_REGION", "AF")
HAVEN_PHONE_FALLBACK_REGIONS = [
    r for r in os.environ.get("HAVEN_PHONE_FALLBACK_REGIONS", "PK,IR").split(",") if r
]

# The cache that counts rate limits (the status page per address, the API per token, log-in
# delays per user name). It must be one for every server process, or each would count on its
# own: by default a table in the database (created by a migration, haven.common), so the demo
# counts right too; with HAVEN_CACHE_URL (redis://host:6379/0), Redis.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "haven_cache",
        "KEY_PREFIX": "haven",
    }
}
if os.environ.get("HAVEN_CACHE_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["HAVEN_CACHE_URL"],
            "KEY_PREFIX": "haven",
        }
    }

# django-ratelimit counts the status page's and the API's limits in that shared cache
# (haven.intake.public.ratelimit, haven.intake.api.throttling); "rate" in its keys' prefix
# tells them apart in Redis. Its app is not installed: its system check would refuse the
# database cache; haven.common.deploy_checks refuses the per-process ones instead.
RATELIMIT_USE_CACHE = "default"
RATELIMIT_CACHE_PREFIX = "haven:rate:"

# Partner API: requests per minute per token, and how long idempotency keys replay.
HAVEN_API_RATE_LIMIT_PER_MINUTE = int(os.environ.get("HAVEN_API_RATE_LIMIT_PER_MINUTE", "600"))
HAVEN_API_IDEMPOTENCY_TTL_HOURS = float(os.environ.get("HAVEN_API_IDEMPOTENCY_TTL_HOURS", "24"))

# Referrals (haven.referrals): consent statements (Request.consent_version) whose text covered
# sharing with partners, how long an off-Haven link lives, and the address links point to.
HAVEN_REFERRAL_CONSENT_VERSIONS = [
    v
    for v in os.environ.get("HAVEN_REFERRAL_CONSENT_VERSIONS", "web-2021-08-v1,2021-08").split(",")
    if v
]
HAVEN_REFERRAL_LINK_DAYS = int(os.environ.get("HAVEN_REFERRAL_LINK_DAYS", "14"))
# The local hour from which `haven tick` sends the day's alert digests (cases.alerts).
HAVEN_ALERT_DIGEST_HOUR = int(os.environ.get("HAVEN_ALERT_DIGEST_HOUR", "7"))
HAVEN_SITE_URL = os.environ.get("HAVEN_SITE_URL", "http://127.0.0.1:8000")

# Mail holds applicants' addresses and status secrets: never the console (it would go to the
# server's log). Every e-mail passes the one-recipient guard (communications.backends), which
# hands it to HAVEN_EMAIL_BACKEND: a file under var/mail/ for the demo; in production a real
# backend (django-anymail, e.g. anymail.backends.amazon_ses.EmailBackend with its ANYMAIL
# settings), and the console one is refused.
EMAIL_BACKEND = "haven.communications.backends.OneRecipientEmailBackend"
HAVEN_EMAIL_INNER_BACKEND = os.environ.get(
    "HAVEN_EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend"
)
EMAIL_FILE_PATH = VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = os.environ.get("HAVEN_FROM_EMAIL", "haven@localhost")

# Messages to requesters (haven.communications; see docs/communications.md).
# Where links in messages point (the public status page, unsubscribe).
HAVEN_PUBLIC_URL = os.environ.get("HAVEN_PUBLIC_URL", "http://127.0.0.1:8000")
HAVEN_MAIL_DOMAIN = os.environ.get("HAVEN_MAIL_DOMAIN", "haven.localhost")
# Replies come back to this address plus the request's token (replies+haven-r12-…@…).
HAVEN_REPLY_TO_ADDRESS = os.environ.get("HAVEN_REPLY_TO_ADDRESS", "")
# Which template each new public status sends ("" sends nothing for that status).
HAVEN_STATUS_MESSAGES = {
    "received": "",
    "under_review": "status_changed",
    "referred": "referral_made",
    "closed": "closed",
}
# Which intake channels send the requester a receipt message when a request arrives
# (communications.receivers.on_requests_received); spreadsheets list people a partner sent.
HAVEN_RECEIPT_MESSAGE_CHANNELS = [
    c
    for c in os.environ.get("HAVEN_RECEIPT_MESSAGE_CHANNELS", "web_form,walk_in,api,email").split(
        ","
    )
    if c.strip()
]
# Automatic messages wait out the night (local time), deferred, never dropped; "" for none.
HAVEN_MESSAGE_QUIET_HOURS = os.environ.get("HAVEN_MESSAGE_QUIET_HOURS", "21:00-08:00")
# A bulk notice to more recipients than this waits for a second supervisor.
HAVEN_NOTICE_APPROVAL_ABOVE = int(os.environ.get("HAVEN_NOTICE_APPROVAL_ABOVE", "100"))
HAVEN_OUTBOX_LEASE_SECONDS = int(os.environ.get("HAVEN_OUTBOX_LEASE_SECONDS", "300"))
HAVEN_OUTBOX_MAX_ATTEMPTS = int(os.environ.get("HAVEN_OUTBOX_MAX_ATTEMPTS", "8"))
HAVEN_OUTBOX_RETRY_BASE_SECONDS = float(os.environ.get("HAVEN_OUTBOX_RETRY_BASE_SECONDS", "30"))
HAVEN_EMAIL_RATE_PER_SECOND = float(os.environ.get("HAVEN_EMAIL_RATE_PER_SECOND", "0"))
# SMS: "file" (var/sms, the demo), "twilio" (any Twilio-compatible API), "locmem" (tests).
HAVEN_SMS_CHANNEL = os.environ.get("HAVEN_SMS_CHANNEL", "file")
HAVEN_SMS_CHANNELS = {
    "file": "haven.communications.channels.FileSmsChannel",
    "twilio": "haven.communications.channels.TwilioSmsChannel",
    "locmem": "haven.communications.channels.LocmemSmsChannel",
}
HAVEN_SMS_FILE_PATH = str(VAR_DIR / "sms")
HAVEN_SMS_RATE_PER_SECOND = float(os.environ.get("HAVEN_SMS_RATE_PER_SECOND", "10"))
HAVEN_SMS_TIMEOUT_SECONDS = float(os.environ.get("HAVEN_SMS_TIMEOUT_SECONDS", "10"))
HAVEN_TWILIO_BASE_URL = os.environ.get("HAVEN_TWILIO_BASE_URL", "https://api.twilio.com")
HAVEN_TWILIO_ACCOUNT_SID = os.environ.get("HAVEN_TWILIO_ACCOUNT_SID", "")
HAVEN_TWILIO_AUTH_TOKEN = os.environ.get("HAVEN_TWILIO_AUTH_TOKEN", "")
HAVEN_TWILIO_FROM = os.environ.get("HAVEN_TWILIO_FROM", "")
# The delivery-status webhook's public address, exactly as the provider calls it (it is
# part of what the provider signs).
HAVEN_TWILIO_STATUS_CALLBACK = os.environ.get("HAVEN_TWILIO_STATUS_CALLBACK", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("HAVEN_LOG_LEVEL", "WARNING")},
}
