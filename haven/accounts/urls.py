from django.urls import path

from . import views, views_admin, views_approvals, views_security_keys, views_two_factor

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("two-factor/", views_two_factor.verify, name="two_factor_verify"),
    path("two-factor/enrol/", views_two_factor.enrol, name="two_factor_enrol"),
    path(
        "two-factor/recovery-codes/",
        views_two_factor.recovery_codes,
        name="two_factor_recovery_codes",
    ),
    # Security keys and passkeys: JSON for haven/static/js/webauthn.js, and removal.
    path(
        "two-factor/keys/register/options/",
        views_security_keys.register_options,
        name="key_register_options",
    ),
    path("two-factor/keys/register/", views_security_keys.register, name="key_register"),
    path(
        "two-factor/keys/add/",
        views_security_keys.register_without_script,
        name="key_add_without_script",
    ),
    path(
        "two-factor/keys/authenticate/options/",
        views_security_keys.authenticate_options,
        name="key_authenticate_options",
    ),
    path(
        "two-factor/keys/authenticate/",
        views_security_keys.authenticate,
        name="key_authenticate",
    ),
    path(
        "two-factor/keys/<int:pk>/remove/",
        views_security_keys.remove,
        name="key_remove",
    ),
    path("welcome/<uidb64>/<token>/", views_admin.WelcomeView.as_view(), name="welcome"),
    path("admin/users/", views_admin.users, name="admin_users"),
    path("admin/users/invite/", views_admin.user_invite, name="admin_user_invite"),
    path("admin/users/<int:pk>/", views_admin.user_detail, name="admin_user"),
    path("admin/users/<int:pk>/edit/", views_admin.user_edit, name="admin_user_edit"),
    path(
        "admin/users/<int:pk>/deactivate/",
        views_admin.user_deactivate,
        name="admin_user_deactivate",
    ),
    path(
        "admin/users/<int:pk>/reactivate/",
        views_admin.user_reactivate,
        name="admin_user_reactivate",
    ),
    path(
        "admin/users/<int:pk>/password-reset/",
        views_admin.user_password_reset,
        name="admin_user_password_reset",
    ),
    path(
        "admin/users/<int:pk>/factors-reset/",
        views_admin.user_factors_reset,
        name="admin_user_factors_reset",
    ),
    path("admin/organisations/", views_admin.organizations, name="admin_organizations"),
    path(
        "admin/organisations/new/",
        views_admin.organization_edit,
        name="admin_organization_new",
    ),
    path(
        "admin/organisations/<int:pk>/",
        views_admin.organization_edit,
        name="admin_organization",
    ),
    path("admin/teams/", views_admin.teams, name="admin_teams"),
    path("admin/teams/new/", views_admin.team_edit, name="admin_team_new"),
    path("admin/teams/<int:pk>/", views_admin.team_edit, name="admin_team"),
    path("approvals/", views_approvals.approval_list, name="approvals"),
    path("approvals/<int:pk>/", views_approvals.approval_decide, name="approval_decide"),
    path("admin/tokens/", views_admin.tokens, name="admin_tokens"),
    path("admin/tokens/new/", views_admin.token_create, name="admin_token_new"),
    path("admin/tokens/<int:pk>/revoke/", views_admin.token_revoke, name="admin_token_revoke"),
]
