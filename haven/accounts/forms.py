from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    # One message for every failure: never reveal whether the account exists.
    error_messages = {
        "invalid_login": _("That user name and password do not match an active account."),
        "inactive": _("That user name and password do not match an active account."),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # AuthenticationForm sets the field's max_length after the field is built, so no
        # validator enforces it: an over-long name would reach authenticate() and the
        # lock-out's 255-character column (a 500 on PostgreSQL). A form message instead.
        field = cast(forms.CharField, self.fields["username"])
        field.validators.append(MaxLengthValidator(field.max_length or 150))
