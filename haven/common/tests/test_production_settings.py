"""Production refuses demo keys and mail in the log (issue 11, items 12 and 14).

Each case imports the settings module in a fresh interpreter with a controlled
environment: settings are read once per process, so this is the only honest way to see
what a server started with that environment would do.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from haven.common.deploy_checks import DEMO_IDENTIFIER_ENCRYPTION_KEY

ROOT = Path(__file__).resolve().parents[3]
REAL = {
    "HAVEN_SECRET_KEY": "a-real-secret-" + "x" * 50,
    "HAVEN_IDENTIFIER_HMAC_KEY": "a-real-hmac-key-" + "y" * 30,
    "HAVEN_IDENTIFIER_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    "HAVEN_EMAIL_BACKEND": "anymail.backends.test.EmailBackend",
}


def _run(code: str, env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("HAVEN_", "DJANGO_"))}
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, "HAVEN_VAR_DIR": str(tmp_path), **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _import_production(env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return _run("import haven.config.settings_production", env, tmp_path)


def test_production_starts_with_real_keys_and_a_real_mail_backend(tmp_path):
    assert _import_production(REAL, tmp_path).returncode == 0


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"HAVEN_IDENTIFIER_ENCRYPTION_KEYS": None}, "HAVEN_IDENTIFIER_ENCRYPTION_KEYS"),
        (
            {"HAVEN_IDENTIFIER_ENCRYPTION_KEYS": DEMO_IDENTIFIER_ENCRYPTION_KEY},
            "HAVEN_IDENTIFIER_ENCRYPTION_KEYS",
        ),
        (
            # The demo key kept as an old, decrypt-only key is refused too.
            {
                "HAVEN_IDENTIFIER_ENCRYPTION_KEYS": f"{REAL['HAVEN_IDENTIFIER_ENCRYPTION_KEYS']},"
                f"{DEMO_IDENTIFIER_ENCRYPTION_KEY}"
            },
            "HAVEN_IDENTIFIER_ENCRYPTION_KEYS",
        ),
        ({"HAVEN_IDENTIFIER_ENCRYPTION_KEYS": "not-a-fernet-key"}, "not a Fernet key"),
        ({"HAVEN_SECRET_KEY": None}, "HAVEN_SECRET_KEY"),
        ({"HAVEN_IDENTIFIER_HMAC_KEY": None}, "HAVEN_IDENTIFIER_HMAC_KEY"),
        ({"HAVEN_EMAIL_BACKEND": None}, "HAVEN_EMAIL_BACKEND"),
        (
            {"HAVEN_EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"},
            "console backend",
        ),
    ],
)
def test_production_refuses_to_start_with_a_demo_or_logging_setting(tmp_path, overrides, message):
    env = {k: v for k, v in {**REAL, **overrides}.items() if v is not None}
    result = _import_production(env, tmp_path)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_check_deploy_fails_on_the_demo_encryption_key(tmp_path):
    # Under the ordinary settings (which do start with demo keys), the deploy check says why
    # it is not fit for production.
    env = {**REAL, "HAVEN_IDENTIFIER_ENCRYPTION_KEYS": DEMO_IDENTIFIER_ENCRYPTION_KEY}
    code = "from haven.cli import main; main(['check', '--deploy'])"
    result = _run(code, env, tmp_path)
    assert result.returncode != 0
    assert "haven.E003" in result.stderr


def test_check_deploy_fails_under_production_settings_without_keys(tmp_path):
    env = {k: v for k, v in REAL.items() if k != "HAVEN_IDENTIFIER_ENCRYPTION_KEYS"}
    env["DJANGO_SETTINGS_MODULE"] = "haven.config.settings_production"
    result = _run("from haven.cli import main; main(['check', '--deploy'])", env, tmp_path)
    assert result.returncode != 0
    assert "HAVEN_IDENTIFIER_ENCRYPTION_KEYS" in result.stderr


def test_the_demo_writes_mail_to_files_under_var_not_to_the_console(tmp_path):
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'haven.config.settings';"
        "django.setup(); from django.conf import settings; from django.core import mail;"
        "print(settings.HAVEN_EMAIL_INNER_BACKEND); print(settings.EMAIL_FILE_PATH);"
        "mail.send_mail('Your status secret', 'secret-canary-123', 'a@example.org',"
        " ['b@example.org'])"
    )
    result = _run(code, {}, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "filebased" in result.stdout
    assert "secret-canary-123" not in result.stdout + result.stderr
    written = list((tmp_path / "mail").iterdir())
    assert len(written) == 1
    assert "secret-canary-123" in written[0].read_text()


def test_tests_keep_mail_in_memory(settings):
    # Behind the one-recipient guard (haven.communications.backends), as in production.
    assert settings.EMAIL_BACKEND == "haven.communications.backends.OneRecipientEmailBackend"
    assert settings.HAVEN_EMAIL_INNER_BACKEND == "django.core.mail.backends.locmem.EmailBackend"


@pytest.mark.parametrize(
    ("backend", "refused"),
    [
        ("django.core.cache.backends.locmem.LocMemCache", True),
        ("django.core.cache.backends.dummy.DummyCache", True),
        ("django.core.cache.backends.db.DatabaseCache", False),
        ("django.core.cache.backends.redis.RedisCache", False),
    ],
)
def test_check_deploy_refuses_a_rate_limit_cache_each_process_keeps_alone(
    settings, backend, refused
):
    from haven.common.deploy_checks import deploy_check

    settings.CACHES = {"default": {"BACKEND": backend, "LOCATION": "haven_cache"}}
    ids = {problem.id for problem in deploy_check()}
    assert ("haven.E007" in ids) == refused


def test_production_refuses_to_start_with_a_per_process_rate_limit_cache(tmp_path):
    code = (
        "import haven.config.settings as s;"
        "s.CACHES = {'default': {'BACKEND': 'django.core.cache.backends.locmem.LocMemCache'}};"
        "import haven.config.settings_production"
    )
    result = _run(code, REAL, tmp_path)
    assert result.returncode != 0
    assert "not shared by the server's processes" in result.stderr
