from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "haven.intake"
    label = "intake"

    def ready(self) -> None:
        from haven.audit.scope import register_reference_resolver

        from .audit_scope import receipt_scope

        # The audit screen finds a request's trail by its receipt number.
        register_reference_resolver("intake.receipt", receipt_scope)

        from haven.common import periodic

        from .importing.imap import imap_poll_periodic

        # Live e-mail intake, when an IMAP mailbox is configured (HAVEN_IMAP_HOST).
        periodic.register(name="intake.imap", run=imap_poll_periodic)
