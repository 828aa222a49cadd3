from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "haven.intake"
    label = "intake"

    def ready(self) -> None:
        from haven.audit.scope import register_reference_resolver

        from .audit_scope import receipt_scope

        # The audit screen finds a request's trail by its receipt number.
        register_reference_resolver("intake.receipt", receipt_scope)
