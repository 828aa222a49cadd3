from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "haven.cases"
    label = "cases"

    def ready(self) -> None:
        from django.core import checks

        from haven.common import periodic

        from .approvals import register
        from .checks import documents_scanner_check
        from .documents_intake import register_walk_in
        from .services_documents import periodic_documents_rescan

        register()  # merging may need a second approver (HAVEN_SECOND_APPROVER_FOR)
        register_walk_in()  # documents brought to the walk-in desk
        # Documents the scanner could not take when they came (it was down) are scanned again.
        periodic.register(name="documents_rescan", run=periodic_documents_rescan)
        checks.register(documents_scanner_check, checks.Tags.security, deploy=True)

        from haven.audit.scope import register_reference_resolver

        from .audit_scope import case_scope

        # The audit screen finds a case's whole trail by its reference ("C-0001234").
        register_reference_resolver("cases.case", case_scope)
