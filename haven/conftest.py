"""Shared personas for every app's tests.

intake_officer, caseworker, supervisor and admin_user work for the task force;
partner_a and partner_b work for two partner organisations; outsider has an
account and no role. Each fixture returns a logged-in test client factory via
`client_for(user)` or the user itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from haven.accounts.models import Organization, Role, User

PASSWORD = "correct horse battery staple"


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
