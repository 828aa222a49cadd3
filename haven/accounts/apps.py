from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "haven.accounts"
    label = "accounts"
    verbose_name = "Accounts and organisations"

    def ready(self) -> None:
        # Connect the audit receivers, and the count of failed log-ins per user name.
        from . import login_delay, sessions, signals  # noqa: F401
