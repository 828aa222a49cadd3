from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import reverse

from . import permissions
from .forms import LoginForm


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        # Partner staff have no case list: they land in their referrals workspace.
        if permissions.can_use_partner_workspace(self.request.user):
            return reverse("referrals:workspace")
        return super().get_default_redirect_url()


class LogoutView(auth_views.LogoutView):
    pass
