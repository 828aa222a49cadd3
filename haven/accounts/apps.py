from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "haven.accounts"
    label = "accounts"
    verbose_name = "Accounts and organisations"

    def ready(self) -> None:
        # Connect the audit receivers, and the count of failed log-ins per user name.
        from django.core.checks import register

        from . import login_delay, security_keys, sessions, signals  # noqa: F401

        register(security_keys.check_relying_party)
