from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "haven.cases"
    label = "cases"

    def ready(self) -> None:
        from .approvals import register

        register()  # merging may need a second approver (HAVEN_SECOND_APPROVER_FOR)

        from haven.audit.scope import register_reference_resolver

        from .audit_scope import case_scope

        # The audit screen finds a case's whole trail by its reference ("C-0001234").
        register_reference_resolver("cases.case", case_scope)
