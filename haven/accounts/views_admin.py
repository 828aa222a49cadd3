"""Administration screens: staff (admins and, for second factors, supervisors), organisations
and API tokens (admins). Thin: selectors check access, services write and audit."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from haven.audit.models import AuditAction
from haven.audit.services import audit_record

from . import permissions, security_keys, selectors, services_admin, services_api, two_factor
from .forms_admin import (
    InviteForm,
    OrganizationForm,
    ReasonForm,
    TeamForm,
    TokenForm,
    UserEditForm,
)
from .models import Role, User


def _viewer(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _admin(request: HttpRequest) -> User:
    viewer = _viewer(request)
    if not permissions.can_administer(viewer):
        raise PermissionDenied
    return viewer


# --- Staff -------------------------------------------------------------------------------


@login_required
@require_GET
def users(request: HttpRequest) -> HttpResponse:
    viewer = _viewer(request)
    q = request.GET.get("q", "").strip()[:150]
    role = request.GET.get("role", "")
    role = role if role in Role.values else ""
    found = selectors.staff_list(viewer=viewer, q=q, role=role)
    page = Paginator(found, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/admin/users.html",
        {
            "page": page,
            "q": q,
            "role": role,
            "roles": Role.choices,
            "can_administer": permissions.can_administer(viewer),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def user_invite(request: HttpRequest) -> HttpResponse:
    actor = _admin(request)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user, link = services_admin.user_invite(
                username=data["username"],
                email=data["email"],
                role=data["role"],
                organization=data["organization"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                actor=actor,
            )
        except services_admin.AdminError as exc:
            form.add_error("username", str(exc))
        else:
            return render(request, "accounts/admin/link_once.html", {"subject": user, "link": link})
    return render(request, "accounts/admin/invite.html", {"form": form})


@login_required
@require_GET
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    subject = selectors.staff_get(viewer=viewer, pk=pk)
    return render(request, "accounts/admin/user_detail.html", _user_context(viewer, subject))


def _user_context(viewer: User, subject: User, **forms: object) -> dict[str, object]:
    return {
        "subject": subject,
        "can_administer": permissions.can_administer(viewer),
        "can_reset_factors": permissions.can_reset_factors(viewer, subject),
        "recovery_codes_left": two_factor.recovery_codes_left(subject),
        "key_count": security_keys.keys_of(subject).count(),
        "edit_form": forms.get("edit_form")
        or UserEditForm(
            initial={
                "role": subject.role,
                "organization": subject.organization,
                "teams": list(subject.teams.all()),
            }
        ),
        # Two reason fields on one page: prefixes keep their ids apart.
        "factors_form": forms.get("factors_form") or ReasonForm(prefix="factors"),
        "deactivate_form": forms.get("deactivate_form") or ReasonForm(prefix="deactivate"),
        "tokens": subject.api_tokens.filter(revoked_at__isnull=True),
    }


@login_required
@require_POST
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _admin(request)
    subject = selectors.staff_get(viewer=actor, pk=pk)
    form = UserEditForm(request.POST)
    if form.is_valid():
        try:
            changes = services_admin.user_update(
                user=subject,
                actor=actor,
                role=form.cleaned_data["role"],
                organization=form.cleaned_data["organization"],
                teams=list(form.cleaned_data["teams"]),
            )
        except services_admin.AdminError as exc:
            form.add_error("role", str(exc))
        else:
            messages.success(request, _("Saved.") if changes else _("Nothing changed."))
            return redirect("accounts:admin_user", pk=subject.pk)
    context = _user_context(actor, subject, edit_form=form)
    return render(request, "accounts/admin/user_detail.html", context, status=400)


@login_required
@require_POST
def user_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _admin(request)
    subject = selectors.staff_get(viewer=actor, pk=pk)
    form = ReasonForm(request.POST, prefix="deactivate")
    if form.is_valid():
        try:
            revoked = services_admin.user_deactivate(
                user=subject, actor=actor, reason=form.cleaned_data["reason"]
            )
        except services_admin.AdminError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                _("%(user)s can no longer log in; %(n)s API tokens revoked.")
                % {"user": subject.get_username(), "n": revoked},
            )
        return redirect("accounts:admin_user", pk=subject.pk)
    context = _user_context(actor, subject, deactivate_form=form)
    return render(request, "accounts/admin/user_detail.html", context, status=400)


@login_required
@require_POST
def user_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _admin(request)
    subject = selectors.staff_get(viewer=actor, pk=pk)
    services_admin.user_reactivate(user=subject, actor=actor)
    messages.success(request, _("The account works again."))
    return redirect("accounts:admin_user", pk=subject.pk)


@login_required
@require_POST
def user_password_reset(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _admin(request)
    subject = selectors.staff_get(viewer=actor, pk=pk)
    link = services_admin.user_password_reset(user=subject, actor=actor)
    return render(request, "accounts/admin/link_once.html", {"subject": subject, "link": link})


@login_required
@require_POST
def user_factors_reset(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _viewer(request)
    subject = selectors.staff_get(viewer=actor, pk=pk)
    if not permissions.can_reset_factors(actor, subject):
        raise PermissionDenied
    form = ReasonForm(request.POST, prefix="factors")
    if form.is_valid():
        two_factor.second_factor_reset(
            user=subject, actor=actor, reason=form.cleaned_data["reason"]
        )
        messages.success(
            request,
            _("%(user)s will set up a new second step at the next log-in.")
            % {"user": subject.get_username()},
        )
        return redirect("accounts:admin_user", pk=subject.pk)
    context = _user_context(actor, subject, factors_form=form)
    return render(request, "accounts/admin/user_detail.html", context, status=400)


class WelcomeView(auth_views.PasswordResetConfirmView):
    """The one-time link: choose a password, then set up the second step. Django moves the
    token out of the address into the session before the form shows (no token in Referer)."""

    template_name = "accounts/welcome.html"
    post_reset_login = True
    post_reset_login_backend = "django.contrib.auth.backends.ModelBackend"
    success_url = reverse_lazy("accounts:two_factor_enrol")

    def form_valid(self, form: Any) -> HttpResponse:
        audit_record(
            actor=form.user,
            action=AuditAction.UPDATE,
            obj=form.user,
            summary="Password chosen through a one-time link",
        )
        return super().form_valid(form)


# --- Organisations -----------------------------------------------------------------------


@login_required
@require_GET
def organizations(request: HttpRequest) -> HttpResponse:
    viewer = _admin(request)
    found = selectors.organization_list(viewer=viewer)
    return render(request, "accounts/admin/organizations.html", {"organizations": found})


@login_required
@require_http_methods(["GET", "POST"])
def organization_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    actor = _admin(request)
    organization = selectors.organization_get(viewer=actor, pk=pk) if pk else None
    initial = (
        {"name": organization.name, "kind": organization.kind, "category": organization.category}
        if organization
        else None
    )
    form = OrganizationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services_admin.organization_save(
                actor=actor, organization=organization, **form.cleaned_data
            )
        except services_admin.AdminError as exc:
            form.add_error("name", str(exc))
        else:
            messages.success(request, _("Saved."))
            return redirect("accounts:admin_organizations")
    return render(
        request,
        "accounts/admin/organization_form.html",
        {"form": form, "organization": organization},
        status=400 if form.errors else 200,
    )


# --- Teams -------------------------------------------------------------------------------


@login_required
@require_GET
def teams(request: HttpRequest) -> HttpResponse:
    viewer = _admin(request)
    found = selectors.team_list(viewer=viewer)
    return render(request, "accounts/admin/teams.html", {"teams": found})


@login_required
@require_http_methods(["GET", "POST"])
def team_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    actor = _admin(request)
    team = selectors.team_get(viewer=actor, pk=pk) if pk else None
    initial = (
        {"name": team.name, "kind": team.kind, "values": ", ".join(team.values or [])}
        if team
        else None
    )
    form = TeamForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services_admin.team_save(actor=actor, team=team, **form.cleaned_data)
        except services_admin.AdminError as exc:
            form.add_error("name", str(exc))
        else:
            messages.success(request, _("Saved."))
            return redirect("accounts:admin_teams")
    return render(
        request,
        "accounts/admin/team_form.html",
        {"form": form, "team": team},
        status=400 if form.errors else 200,
    )


# --- API tokens --------------------------------------------------------------------------


@login_required
@require_GET
def tokens(request: HttpRequest) -> HttpResponse:
    viewer = _admin(request)
    page = Paginator(selectors.api_token_list(viewer=viewer), 50).get_page(request.GET.get("page"))
    return render(request, "accounts/admin/tokens.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def token_create(request: HttpRequest) -> HttpResponse:
    actor = _admin(request)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        issued = services_api.api_token_create(
            organization=data["organization"],
            name=data["name"],
            rate_limit_per_minute=data["rate_limit_per_minute"],
            scopes=list(data["scopes"]),
            expires_at=form.expires_at(),
            issued_to=data["issued_to"],
            actor=actor,
        )
        response = render(request, "accounts/admin/token_created.html", {"issued": issued})
        # The secret is on this page only: no copy in a browser's or proxy's cache.
        response["Cache-Control"] = "no-store"
        return response
    return render(
        request,
        "accounts/admin/token_form.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _admin(request)
    token = selectors.api_token_get(viewer=actor, pk=pk)
    if services_api.api_token_revoke_one(token=token, actor=actor):
        messages.success(request, _("Token %(prefix)s… revoked.") % {"prefix": token.prefix})
    return redirect("accounts:admin_tokens")
