"""Writes to accounts and organisations."""

from __future__ import annotations

from django.db import transaction

from haven.audit.models import AuditAction
from haven.audit.services import audit_record

from .models import Organization, User


@transaction.atomic
def organization_ensure(
    *, name: str, kind: str, category: str = "", actor: User | None = None
) -> Organization:
    """The organisation of that name (any case, surrounding spaces ignored), made and audited
    when there is none: how the upload page's new source, the import command's --create-source,
    tokens, users and the demo all get one."""
    name = name.strip()
    found = Organization.objects.filter(name__iexact=name).order_by("pk").first()
    if found is not None:
        return found
    organization = Organization.objects.create(name=name, kind=kind, category=category)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=organization,
        summary=f"Organisation {name} added",
    )
    return organization


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    role: str,
    organization: Organization | None,
    actor: User | None = None,
    is_staff: bool = False,
) -> User:
    user = User.objects.create_user(
        username=username,
        password=password,
        role=role,
        organization=organization,
        is_staff=is_staff,
    )
    audit_record(
        actor=actor, action=AuditAction.CREATE, obj=user, summary=f"Account {username} ({role})"
    )
    return user


@transaction.atomic
def user_password_set(*, user: User, password: str, actor: User | None = None) -> User:
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=user, summary="Password set")
    return user
