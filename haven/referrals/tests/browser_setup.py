"""Run inside `haven shell` by the browser test and the screenshot script: a caseworker, a
partner user at UNHCR Pakistan, the partner's directory entry and a consented case."""

from __future__ import annotations

from haven.accounts.models import Organization, User
from haven.referrals.tests.factories import make_case, partner_directory

PASSWORD = "browser-test-password-1"


def setup(cases: int = 1) -> None:
    task_force = Organization.objects.create(name="Task Force", kind="task_force")
    unhcr = Organization.objects.create(name="UNHCR Pakistan", kind="partner", category="UNHCR")
    User.objects.create_user(
        username="caseworker", password=PASSWORD, role="caseworker", organization=task_force
    )
    User.objects.create_user(
        username="partner", password=PASSWORD, role="partner", organization=unhcr
    )
    partner_directory(unhcr)
    partner_directory(unhcr, kind="resettlement_registration")
    for n in range(cases):
        make_case(
            consent_version="web-2021-08-v1",
            given_name=["Mohammad Zaman", "Din Mohammad", "Zabihullah"][n % 3],
        )
