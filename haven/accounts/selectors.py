"""Reads of accounts."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.http import Http404
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from . import permissions
from .models import ApiToken, Organization, Team, User


def user_find(*, username: str) -> User | None:
    return User.objects.filter(username=username).first()


def staff_list(*, viewer: User, q: str = "", role: str = "") -> QuerySet[User]:
    if not permissions.can_manage_staff(viewer):
        raise PermissionDenied
    users = User.objects.select_related("organization").annotate(
        has_app=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)),
        has_key=Exists(WebAuthnCredential.objects.filter(user=OuterRef("pk"), confirmed=True)),
    )
    if q:
        users = users.filter(username__icontains=q)
    if role:
        users = users.filter(role=role)
    return users.order_by("username")


def staff_get(*, viewer: User, pk: int) -> User:
    found = staff_list(viewer=viewer).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def organization_list(*, viewer: User) -> QuerySet[Organization]:
    if not permissions.can_administer(viewer):
        raise PermissionDenied
    return Organization.objects.order_by("name")


def organization_get(*, viewer: User, pk: int) -> Organization:
    found = organization_list(viewer=viewer).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def team_list(*, viewer: User) -> QuerySet[Team]:
    if not permissions.can_manage_teams(viewer):
        raise PermissionDenied
    return Team.objects.annotate(member_count=Count("members")).order_by("name")


def team_get(*, viewer: User, pk: int) -> Team:
    found = team_list(viewer=viewer).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def api_token_list(*, viewer: User) -> QuerySet[ApiToken]:
    if not permissions.can_administer(viewer):
        raise PermissionDenied
    return ApiToken.objects.select_related("organization", "issued_to", "created_by").order_by(
        "-created_at"
    )


def api_token_get(*, viewer: User, pk: int) -> ApiToken:
    found = api_token_list(viewer=viewer).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found
