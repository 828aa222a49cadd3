"""Shared personas for every app's tests.

intake_officer, caseworker, supervisor and admin_user work for the task force;
partner_a and partner_b work for two partner organisations; outsider has an
account and no role. Each fixture returns a logged-in test client factory via
`client_for(user)` or the user itself.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation
from pytest_django import DjangoDbBlocker

from haven.accounts.models import Organization, Role, User

PASSWORD = "correct horse battery staple"
# The SQLite test database as its migrations left it, before any test wrote to it.
_MIGRATED_TEST_DATABASE: list[Path] = []


@pytest.fixture(scope="session")
def django_db_setup(
    django_db_setup: None,
    django_db_blocker: DjangoDbBlocker,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """pytest-django's test databases; when the default one is SQLite, a copy of it taken right
    after its migrations (40 ms), which `migrated_database` hands to the tests that start a
    `haven` process on a fresh database, so they need not run the migrations again."""
    from django.db import connection

    if connection.vendor != "sqlite":
        return
    with django_db_blocker.unblock():
        if "django_migrations" not in connection.introspection.table_names():
            return  # no test in this session uses the database: nothing was migrated
        connection.ensure_connection()
        path = tmp_path_factory.mktemp("migrated") / "haven.sqlite3"
        with closing(sqlite3.connect(path)) as copy:
            connection.connection.backup(copy)
    _MIGRATED_TEST_DATABASE.append(path)


@pytest.fixture(scope="session")
def migrated_database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """A freshly migrated SQLite database file, for a test that runs `haven` in a process of
    its own on a fresh database (browser servers, commands as an operator types them): pass it
    to haven_server(database=...) or copy it with database_copy. The migrations cost 30-45 s a
    run on two busy cores; here they run at most once a test process. It is the test database
    as its migrations made it when that is SQLite (the same schema and rows as `haven migrate`
    makes with the production settings, timestamps aside), else one `haven migrate`."""
    from haven.common.browser_testing import migrate_fresh

    request.getfixturevalue("django_db_setup")
    if _MIGRATED_TEST_DATABASE:
        return _MIGRATED_TEST_DATABASE[0]
    var_dir = tmp_path_factory.mktemp("migrated-var")
    migrate_fresh(var_dir)
    return var_dir / "haven.sqlite3"


@pytest.fixture
def task_force(db: None) -> Organization:
    return Organization.objects.create(name="Task Force", kind=Organization.Kind.TASK_FORCE)


@pytest.fixture
def partner_org_a(db: None) -> Organization:
    return Organization.objects.create(
        name="UNHCR Pakistan", kind=Organization.Kind.PARTNER, category="UNHCR"
    )


@pytest.fixture
def partner_org_b(db: None) -> Organization:
    return Organization.objects.create(
        name="Safe Passage NGO", kind=Organization.Kind.PARTNER, category="NGO"
    )


def _user(username: str, role: str, organization: Organization | None) -> User:
    return User.objects.create_user(
        username=username, password=PASSWORD, role=role, organization=organization
    )


@pytest.fixture
def intake_officer(task_force: Organization) -> User:
    return _user("intake", Role.INTAKE_OFFICER, task_force)


@pytest.fixture
def caseworker(task_force: Organization) -> User:
    return _user("caseworker", Role.CASEWORKER, task_force)


@pytest.fixture
def supervisor(task_force: Organization) -> User:
    return _user("supervisor", Role.SUPERVISOR, task_force)


@pytest.fixture
def admin_user(task_force: Organization) -> User:
    return _user("admin", Role.ADMIN, task_force)


@pytest.fixture
def partner_a(partner_org_a: Organization) -> User:
    return _user("partner_a", Role.PARTNER, partner_org_a)


@pytest.fixture
def partner_b(partner_org_b: Organization) -> User:
    return _user("partner_b", Role.PARTNER, partner_org_b)


@pytest.fixture
def outsider(db: None) -> User:
    return _user("outsider", Role.NONE, None)


def verified_client(user: User, **client_options: Any) -> Client:
    """A client logged in as `user` whose session has passed the second factor: the user gets
    a confirmed authenticator-app device (as enrolment makes) and the session records it, just
    as the verification page does (haven/accounts/two_factor.py)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from haven.accounts import two_factor

    device = two_factor.totp_device_confirmed(user) or TOTPDevice.objects.create(
        user=user, name=two_factor.TOTP_NAME, confirmed=True
    )
    client = Client(**client_options)
    client.force_login(user)
    session = client.session
    session[two_factor.SESSION_KEY] = two_factor.session_state(user=user, device=device)
    session.save()
    return client


@pytest.fixture
def client_for() -> Callable[..., Client]:
    """A client logged in as the given user, past the second factor (see verified_client).
    For a password-only session, use Client().force_login(user) in the test itself."""
    return verified_client


@pytest.fixture(autouse=True)
def _one_recipient_mail(settings: pytest.FixtureRequest) -> None:
    """Django's test set-up swaps EMAIL_BACKEND for locmem; put the one-recipient guard back
    in front of it (HAVEN_EMAIL_INNER_BACKEND is locmem in tests), so tests send as
    production does."""
    settings.EMAIL_BACKEND = "haven.communications.backends.OneRecipientEmailBackend"  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _language_reset() -> Iterator[None]:
    """A request in Dari or Pashto leaves that language active in the thread (LocaleMiddleware
    activates it and the test client does not reset it): put English back after every test,
    so a later test's messages do not depend on which test ran before it."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.hookimpl(hookwrapper=True)
def pytest_collection_modifyitems(
    config: pytest.Config, items: list[pytest.Item]
) -> Iterator[None]:
    """Under `--dist loadgroup` (make test), a browser module's tests go to one worker: they
    share a module-scoped server, which a second worker would start again (15-30 s). Marked
    before xdist reads the marks.

    Then, after pytest-django has put the tests that need no database last: the slow ones that
    need none (browser, `slow`) first instead, so the two workers finish together rather than
    one waiting 20-45 s for the other's last long test. Every other test keeps its place."""
    if getattr(config.option, "loadgroup", False):
        for item in items:
            if _is_browser(item):
                item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))
    yield
    items.sort(key=lambda item: not _slow_without_database(item))


def _is_browser(item: pytest.Item) -> bool:
    return item.get_closest_marker("browser") is not None


def _slow_without_database(item: pytest.Item) -> bool:
    slow = item.get_closest_marker("slow") is not None or _is_browser(item)
    fixtures = getattr(item, "fixturenames", ())
    uses_database = item.get_closest_marker("django_db") is not None or any(
        name in fixtures for name in ("db", "transactional_db", "django_db_reset_sequences")
    )
    return slow and not uses_database
