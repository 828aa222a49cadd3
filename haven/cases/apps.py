from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "haven.cases"
    label = "cases"

    def ready(self) -> None:
        from django.core import checks

        from haven.common import periodic

        from . import registry, selectors_tasks, services_tasks
        from .alerts import periodic_alerts, periodic_digests
        from .approvals import register
        from .checks import documents_scanner_check
        from .documents_intake import register_walk_in
        from .services_documents import periodic_documents_rescan
        from .signals import documents_added

        register()  # merging may need a second approver (HAVEN_SECOND_APPROVER_FOR)
        # The caseloads page shows each worker's overdue tasks.
        registry.register_overdue_tasks(selectors_tasks.overdue_task_counts)
        # Breaches of task due dates and pathway targets, then the day's e-mail digests.
        periodic.register(name="cases.alerts", run=periodic_alerts)
        periodic.register(name="cases.alerts_digest", run=periodic_digests)
        # Documents arriving tick off the checklist of still-needed evidence.
        documents_added.connect(
            services_tasks.documents_added_receive, dispatch_uid="cases.tasks.documents_added"
        )
        register_walk_in()  # documents brought to the walk-in desk
        # Documents the scanner could not take when they came (it was down) are scanned again.
        periodic.register(name="documents_rescan", run=periodic_documents_rescan)
        checks.register(documents_scanner_check, checks.Tags.security, deploy=True)

        from haven.resolution import registry as resolution_registry

        from .selectors_members import person_cases

        # A person's page (resolution) links to their cases.
        resolution_registry.register_person_cases(person_cases)

        from haven.audit.scope import register_reference_resolver

        from .audit_scope import case_scope

        # The audit screen finds a case's whole trail by its reference ("C-0001234").
        register_reference_resolver("cases.case", case_scope)

        from haven.resolution.services import people_changed_handlers

        from .people_changes import people_changed

        # Case members follow people merged, unmerged or re-linked by resolution.
        people_changed_handlers.register("cases.members", people_changed)
