"""Writes to accounts and organisations."""

from __future__ import annotations

from django.db import transaction

from haven.audit.models import AuditAction
from haven.audit.services import audit_record

from .models import Organization, User


@transaction.atomic
def organization_ensure(*, name: str, kind: str, category: str = "") -> Organization:
    organization, created = Organization.objects.get_or_create(
        name=name, defaults={"kind": kind, "category": category}
    )
    if created:
        audit_record(actor=None, action=AuditAction.CREATE, obj=organization, summary=name)
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
