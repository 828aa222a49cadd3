"""Administration in the application: invitations, roles, deactivation, organisations.

Every change is audited with what it was and what it became (details["changes"] maps a field to
[old, new]), so the audit screen can show it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sessions.models import Session
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from haven.audit.models import AuditAction
from haven.audit.services import audit_record

from . import api_token_state, two_factor
from .models import Organization, Role, Team, User
from .models_api import ApiToken


class AdminError(Exception):
    """A change refused for a reason the person can fix; the message says which."""


def one_time_link(user: User) -> str:
    """The link that lets `user` choose a password, once: Django's token is built from the
    password hash and last log-in, so it stops working as soon as it is used (and after
    PASSWORD_RESET_TIMEOUT)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("accounts:welcome", args=[uid, token])
    base = str(getattr(settings, "HAVEN_BASE_URL", "http://127.0.0.1:8000")).rstrip("/")
    return base + path


def _send_link(user: User, *, subject: str, intro: str) -> None:
    if not user.email:
        return
    link = one_time_link(user)
    body = f"{intro}\n\n{link}\n\n" + _(
        "The link works once. After choosing a password you will set up the second step "
        "(an authenticator app on your phone)."
    )
    # After commit: no mail for an account whose creation was rolled back.
    transaction.on_commit(
        lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    )


def _shown(value: Any) -> Any:
    # An organisation is recorded by name: the trail must read without joining back.
    return str(value) if isinstance(value, Organization) else value


def _changes(user: User, values: dict[str, Any]) -> dict[str, list[Any]]:
    return {
        field: [_shown(getattr(user, field)), _shown(new)]
        for field, new in values.items()
        if getattr(user, field) != new
    }


@transaction.atomic
def user_invite(
    *,
    username: str,
    email: str,
    role: str,
    organization: Organization | None,
    actor: User | None,
    first_name: str = "",
    last_name: str = "",
) -> tuple[User, str]:
    """A new account with no password yet; the invitee chooses one through a one-time link
    (e-mailed when an address is given) and then enrols a second factor. Returns the link."""
    if User.objects.filter(username__iexact=username).exists():
        raise AdminError(_("That user name is taken."))
    if role not in Role.values:
        raise AdminError(_("Unknown role."))
    user = User(
        username=username,
        email=email,
        role=role,
        organization=organization,
        first_name=first_name,
        last_name=last_name,
    )
    user.set_unusable_password()
    user.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=user,
        summary=f"Invited {username} ({role})",
        details={
            "role": role,
            "organization": str(organization) if organization else None,
            "email_sent": bool(email),
        },
    )
    _send_link(
        user,
        subject=_("Your Haven account"),
        intro=_("An account was made for you on Haven. Choose your password here:"),
    )
    return user, one_time_link(user)


@transaction.atomic
def user_update(
    *,
    user: User,
    actor: User,
    role: str,
    organization: Organization | None,
    teams: list[Team] | None = None,
) -> dict[str, list[Any]]:
    """Role, organisation and (when given) the teams the user is in; audited old → new."""
    if user.pk == actor.pk and role != user.role:
        raise AdminError(_("You cannot change your own role; ask another administrator."))
    changes = _changes(user, {"role": role, "organization": organization})
    if teams is not None:
        before = sorted(t.name for t in user.teams.all())
        after = sorted(t.name for t in teams)
        if before != after:
            changes["teams"] = [before, after]
            user.teams.set(teams)
    if not changes:
        return changes
    if {"role", "organization"} & set(changes):
        user.role, user.organization = role, organization
        user.save(update_fields=["role", "organization"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=user,
        summary=f"Changed {user.get_username()}: {', '.join(changes)}",
        details={"changes": changes},
    )
    return changes


def _sessions_end(user: User) -> int:
    """Delete the user's open sessions. Sessions are not indexed by user, so each is decoded;
    a deactivation is rare, and is_active=False already refuses them on the next request
    (ModelBackend), so this is the belt to that pair of braces."""
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            session.delete()
            ended += 1
    return ended


@transaction.atomic
def user_deactivate(*, user: User, actor: User, reason: str = "") -> int:
    """The account stops working at once: its sessions, its second-factor verification and
    the API tokens issued to it. Returns how many tokens were revoked."""
    if user.pk == actor.pk:
        raise AdminError(_("You cannot deactivate your own account."))
    user.is_active = False
    user.save(update_fields=["is_active"])
    two_factor.sessions_unverify(user)
    now = timezone.now()
    # Locked so a concurrent revocation cannot record a second event for the same token.
    # No key of the locked rows changes (no delete, no unique column): FOR NO KEY UPDATE
    # on PostgreSQL, which does not hold up inserts of rows referencing them.
    tokens = list(
        ApiToken.objects.select_for_update(no_key=True).filter(
            issued_to=user, revoked_at__isnull=True
        )
    )
    for token in tokens:
        token.revoked_at = now
        token.save(update_fields=["revoked_at"])
    sessions = _sessions_end(user)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=user,
        summary=f"Deactivated {user.get_username()}",
        details={
            "changes": {"is_active": [True, False]},
            "reason": reason[:300],
            "sessions_ended": sessions,
            "tokens_revoked": [t.prefix for t in tokens],
        },
    )
    transaction.on_commit(api_token_state.generation_bump)
    return len(tokens)


@transaction.atomic
def user_reactivate(*, user: User, actor: User) -> None:
    user.is_active = True
    user.save(update_fields=["is_active"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=user,
        summary=f"Reactivated {user.get_username()}",
        details={"changes": {"is_active": [False, True]}},
    )


@transaction.atomic
def user_password_reset(*, user: User, actor: User) -> str:
    """The old password stops working now; the user chooses a new one through a one-time link
    (e-mailed when the account has an address). Returns the link, for the admin to pass on."""
    user.set_unusable_password()
    user.save(update_fields=["password"])
    # A changed password hash already ends sessions (Django's session auth hash); this ends
    # them in the table too.
    _sessions_end(user)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=user,
        summary=f"Password reset for {user.get_username()}",
        details={"password": "reset", "email_sent": bool(user.email)},
    )
    _send_link(
        user,
        subject=_("Choose a new Haven password"),
        intro=_("Your Haven password was reset. Choose a new one here:"),
    )
    return one_time_link(user)


@transaction.atomic
def organization_save(
    *, actor: User, organization: Organization | None, name: str, kind: str, category: str
) -> Organization:
    same_name = Organization.objects.filter(name__iexact=name)
    if organization is not None:
        same_name = same_name.exclude(pk=organization.pk)
    if same_name.exists():
        raise AdminError(_("An organisation with that name exists already."))
    if organization is None:
        organization = Organization.objects.create(name=name, kind=kind, category=category)
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=organization,
            summary=f"Organisation {name}",
            details={"kind": kind, "category": category},
        )
        return organization
    changes = {
        field: [getattr(organization, field), value]
        for field, value in {"name": name, "kind": kind, "category": category}.items()
        if getattr(organization, field) != value
    }
    if changes:
        organization.name, organization.kind, organization.category = name, kind, category
        organization.save(update_fields=["name", "kind", "category"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=organization,
            summary=f"Organisation {name} changed: {', '.join(changes)}",
            details={"changes": changes},
        )
    return organization


def _team_values(values: list[str]) -> list[str]:
    # Language codes and pathway codes are compared as written in lower case; provinces
    # ignoring case (cases.selectors_assignment): kept as typed, without duplicates.
    return list(dict.fromkeys(v.strip() for v in values if v.strip()))


@transaction.atomic
def team_save(*, actor: User, team: Team | None, name: str, kind: str, values: list[str]) -> Team:
    """Create or change a team (members are set on each user's page); audited."""
    if kind not in Team.Kind.values:
        raise AdminError(_("Unknown kind of team."))
    same_name = Team.objects.filter(name__iexact=name)
    if team is not None:
        same_name = same_name.exclude(pk=team.pk)
    if same_name.exists():
        raise AdminError(_("A team with that name exists already."))
    values = _team_values(values)
    if kind == Team.Kind.LANGUAGE:
        values = [v.lower() for v in values]
    if team is None:
        team = Team.objects.create(name=name, kind=kind, values=values)
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=team,
            summary=f"Team {name}",
            details={"kind": kind, "values": values},
        )
        return team
    changes = {
        field: [getattr(team, field), value]
        for field, value in {"name": name, "kind": kind, "values": values}.items()
        if getattr(team, field) != value
    }
    if changes:
        team.name, team.kind, team.values = name, kind, values
        team.save(update_fields=["name", "kind", "values"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=team,
            summary=f"Team {name} changed: {', '.join(changes)}",
            details={"changes": changes},
        )
    return team
