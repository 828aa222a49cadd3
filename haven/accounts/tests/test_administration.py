"""Administration in the application: invitations, roles, deactivation, organisations, tokens."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from haven.accounts.models import ApiToken, Organization, Role, User
from haven.accounts.services_api import api_token_create
from haven.audit.models import AuditEvent
from haven.conftest import PASSWORD

pytestmark = pytest.mark.django_db
API_LIST = "/api/v1/requests"


def _link_path(text: str) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/welcome/[^\s<\"]+)", text)
    assert match, text
    return match.group(1)


def test_an_admin_invites_by_e_mail_and_the_link_works_once(
    client_for, admin_user, task_force, django_capture_on_commit_callbacks
):
    client = client_for(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:admin_user_invite"),
            {
                "username": "nadia",
                "email": "nadia@example.org",
                "role": Role.CASEWORKER,
                "organization": task_force.pk,
            },
        )
    assert response.status_code == 200
    nadia = User.objects.get(username="nadia")
    assert not nadia.has_usable_password()
    assert len(mail.outbox) == 1
    path = _link_path(str(mail.outbox[0].body))
    assert AuditEvent.objects.filter(actor=admin_user, action="create", object_id=nadia.pk).exists()

    invitee = Client()
    form = invitee.get(path, follow=True)
    assert "Choose your password" in form.text
    done = invitee.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a long pass phrase 42", "new_password2": "a long pass phrase 42"},
    )
    assert done["Location"] == reverse("accounts:two_factor_enrol")
    # Logged in with the password only: the desk still wants the second factor.
    assert invitee.get(reverse("cases:list"))["Location"].startswith(
        reverse("accounts:two_factor_verify")
    )
    again = Client().get(path, follow=True)
    assert "no longer works" in again.text


def test_a_deactivated_users_open_session_and_token_are_refused_on_the_next_request(
    client_for, admin_user, partner_a, partner_org_a, settings
):
    settings.HAVEN_API_TOKEN_CACHE_SECONDS = 300  # the token is remembered: deactivation must win
    session = client_for(partner_a)
    assert session.get(reverse("accounts:two_factor_recovery_codes")).status_code == 200
    raw = api_token_create(organization=partner_org_a, issued_to=partner_a).raw
    api = Client(headers={"Authorization": f"Bearer {raw}"})
    assert api.get(API_LIST).status_code == 200
    assert api.get(API_LIST).status_code == 200  # now from the per-process cache

    response = client_for(admin_user).post(
        reverse("accounts:admin_user_deactivate", args=[partner_a.pk]),
        {"deactivate-reason": "left UNHCR"},
    )
    assert response.status_code == 302

    assert session.get(reverse("accounts:two_factor_recovery_codes"))["Location"].startswith(
        reverse("accounts:login")
    )
    assert api.get(API_LIST).status_code == 401
    token = ApiToken.objects.get(issued_to=partner_a)
    assert token.revoked_at is not None
    event = AuditEvent.objects.get(summary__startswith="Deactivated")
    assert event.details["changes"] == {"is_active": [True, False]}
    assert event.details["reason"] == "left UNHCR"
    # Nor can they log in again.
    login = Client().post(
        reverse("accounts:login"), {"username": "partner_a", "password": PASSWORD}
    )
    assert login.status_code == 200


def test_a_token_deactivated_elsewhere_is_refused_even_from_the_cache(
    admin_user, partner_a, partner_org_a, settings
):
    """Another process's deactivation (simulated: the flag set in the database, the shared
    generation moved) reaches this process's cached token."""
    from haven.accounts import api_token_state

    settings.HAVEN_API_TOKEN_CACHE_SECONDS = 300
    raw = api_token_create(organization=partner_org_a, issued_to=partner_a).raw
    api = Client(headers={"Authorization": f"Bearer {raw}"})
    assert api.get(API_LIST).status_code == 200
    User.objects.filter(pk=partner_a.pk).update(is_active=False)
    api_token_state.generation_bump()
    assert api.get(API_LIST).status_code == 401


def test_role_changes_are_audited_with_old_and_new_values(client_for, admin_user, caseworker):
    client = client_for(admin_user)
    client.post(
        reverse("accounts:admin_user_edit", args=[caseworker.pk]),
        {"role": Role.SUPERVISOR, "organization": caseworker.organization_id},
    )
    caseworker.refresh_from_db()
    assert caseworker.role == Role.SUPERVISOR
    event = AuditEvent.objects.get(object_id=caseworker.pk, summary__startswith="Changed")
    assert event.details["changes"] == {"role": ["caseworker", "supervisor"]}


def test_an_admin_cannot_deactivate_themselves(client_for, admin_user):
    client = client_for(admin_user)
    client.post(
        reverse("accounts:admin_user_deactivate", args=[admin_user.pk]),
        {"deactivate-reason": "oops"},
    )
    admin_user.refresh_from_db()
    assert admin_user.is_active


def test_supervisors_reset_factors_but_do_not_administer(client_for, supervisor, caseworker):
    client = client_for(supervisor)
    assert client.get(reverse("accounts:admin_users")).status_code == 200
    assert client.get(reverse("accounts:admin_tokens")).status_code == 403
    assert client.get(reverse("accounts:admin_organizations")).status_code == 403
    assert (
        client.post(
            reverse("accounts:admin_user_deactivate", args=[caseworker.pk]),
            {"deactivate-reason": "x"},
        ).status_code
        == 403
    )
    client_for(caseworker)  # gives the caseworker an app
    response = client.post(
        reverse("accounts:admin_user_factors_reset", args=[caseworker.pk]),
        {"factors-reason": "phone stolen"},
    )
    assert response.status_code == 302
    assert AuditEvent.objects.filter(actor=supervisor, details__second_factor="reset").exists()


@pytest.mark.parametrize("persona", ["caseworker", "intake_officer", "partner_a", "outsider"])
def test_other_roles_see_no_administration(client_for, persona, request):
    client = client_for(request.getfixturevalue(persona))
    for name in ("admin_users", "admin_tokens", "admin_organizations", "admin_user_invite"):
        assert client.get(reverse(f"accounts:{name}")).status_code == 403


def test_a_token_is_shown_once_with_its_scopes_and_expiry_and_can_be_revoked(
    client_for, admin_user, partner_org_a
):
    client = client_for(admin_user)
    response = client.post(
        reverse("accounts:admin_token_new"),
        {
            "organization": partner_org_a.pk,
            "name": "case system",
            "scopes": ["requests:read"],
            "expires_in_days": "30",
        },
    )
    found = re.search(r"hvn_[\w-]+", response.text)
    assert found
    raw = found.group(0)
    assert response["Cache-Control"] == "no-store"
    token = ApiToken.objects.get()
    assert token.token_hash == ApiToken.hash_secret(raw)
    assert raw not in client.get(reverse("accounts:admin_tokens")).text
    assert token.scopes == ["requests:read"]
    assert token.expires_at is not None

    api = Client(headers={"Authorization": f"Bearer {raw}"})
    assert api.get(API_LIST).status_code == 200
    # Read-only: sending a request is refused like an unknown token.
    assert api.post(API_LIST, {}, content_type="application/json").status_code == 401
    token.refresh_from_db()
    assert token.last_used_at is not None

    client.post(reverse("accounts:admin_token_revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert api.get(API_LIST).status_code == 401
    assert AuditEvent.objects.filter(object_type="accounts.apitoken", action="update").exists()


def test_an_expired_token_is_refused(partner_org_a):
    import time_machine

    raw = api_token_create(
        organization=partner_org_a,
        expires_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    ).raw
    with time_machine.travel(dt.datetime(2026, 1, 2, tzinfo=dt.UTC)):
        assert Client(headers={"Authorization": f"Bearer {raw}"}).get(API_LIST).status_code == 401


def test_organisations_are_created_and_edited_with_the_change_audited(client_for, admin_user):
    client = client_for(admin_user)
    client.post(
        reverse("accounts:admin_organization_new"),
        {"name": "IOM Pakistan", "kind": "partner", "category": "IOM"},
    )
    organization = Organization.objects.get(name="IOM Pakistan")
    client.post(
        reverse("accounts:admin_organization", args=[organization.pk]),
        {"name": "IOM Pakistan", "kind": "partner", "category": "UN agency"},
    )
    organization.refresh_from_db()
    assert organization.category == "UN agency"
    event = AuditEvent.objects.get(object_type="accounts.organization", action="update")
    assert event.details["changes"] == {"category": ["IOM", "UN agency"]}
    duplicate = client.post(
        reverse("accounts:admin_organization_new"),
        {"name": "iom pakistan", "kind": "partner"},
    )
    assert duplicate.status_code == 400
    assert "exists already" in duplicate.text


def test_haven_user_create_prints_a_one_time_link_for_the_first_admin(db):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "user", "create", "--username", "first", "--role", "admin", "--org", "Task Force",
        stdout=out, stderr=err,
    )  # fmt: skip
    user = User.objects.get(username="first")
    assert user.role == Role.ADMIN
    assert user.organization is not None and user.organization.name == "Task Force"
    assert "/accounts/welcome/" in out.getvalue()
    assert Client().get(_link_path(out.getvalue()), follow=True).status_code == 200


def test_createsuperuser_points_to_haven_user_create(db):
    with pytest.raises(CommandError, match="haven user create"):
        call_command("createsuperuser", "--noinput", "--username", "root")
    assert not User.objects.exists()


def test_a_password_reset_stops_the_old_password_and_sends_a_link(
    client_for, admin_user, caseworker
):
    client = client_for(admin_user)
    response = client.post(reverse("accounts:admin_user_password_reset", args=[caseworker.pk]))
    assert "/accounts/welcome/" in response.text
    caseworker.refresh_from_db()
    assert not caseworker.check_password(PASSWORD)
