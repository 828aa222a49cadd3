from __future__ import annotations

from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    # One message for every failure: never reveal whether the account exists.
    error_messages = {
        "invalid_login": _("That user name and password do not match an active account."),
        "inactive": _("That user name and password do not match an active account."),
    }
