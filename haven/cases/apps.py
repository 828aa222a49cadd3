from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "haven.cases"
    label = "cases"

    def ready(self) -> None:
        from .approvals import register

        register()  # merging may need a second approver (HAVEN_SECOND_APPROVER_FOR)

        from haven.resolution import registry as resolution_registry

        from .selectors_members import person_cases

        # A person's page (resolution) links to their cases.
        resolution_registry.register_person_cases(person_cases)

        from haven.audit.scope import register_reference_resolver

        from .audit_scope import case_scope

        # The audit screen finds a case's whole trail by its reference ("C-0001234").
        register_reference_resolver("cases.case", case_scope)
