from django.apps import AppConfig


class TriageConfig(AppConfig):
    name = "haven.triage"
    label = "triage"

    def ready(self) -> None:
        from haven.intake.eligibility import register_needed_facts

        from .approvals import register
        from .selectors import facts_the_active_guidance_reads

        register()  # guidance activation may need a second approver (HAVEN_SECOND_APPROVER_FOR)

        from haven.audit.scope import register_reference_resolver

        from .audit_scope import case_scope

        # A case's trail on the audit screen includes its decisions and facts.
        register_reference_resolver("triage.case", case_scope)

        from haven.cases.panels import case_panel_providers

        from .panels import triage_panel

        case_panel_providers.register("triage", triage_panel)
        # The public and walk-in forms ask only what the active guidance reads.
        register_needed_facts(facts_the_active_guidance_reads)

        from haven.cases import registry

        from .pathways import PATHWAYS
        from .selectors import pathway_targets

        # The case list shows ageing against the active guidance's targets, and filters by
        # pathway and by "over target": cases cannot import triage, so triage tells it.
        registry.register_pathway_targets(pathway_targets)
        registry.register_pathway_choices(lambda: [(k, str(v)) for k, v in PATHWAYS.items()])
        from .split import cases_opened_triage, households_retriage

        # A case staff open by splitting a household is triaged like one intake opened, and
        # one whose household staff changed is triaged again.
        registry.register_cases_opened(cases_opened_triage)
        registry.register_household_changed(households_retriage)

        from .evidence import case_checklist_sync, evidence_label

        # The checklist of still-needed evidence (cases.Task): its items' labels, and what to
        # re-check when documents arrive (cases.signals.documents_added).
        registry.register_evidence_label(evidence_label)
        registry.register_evidence_recheck(case_checklist_sync)

        from .pathways import pathway_label

        registry.pathway_labeller.fill(pathway_label)

        from haven.intake.api.schemas import facts_checker

        from .facts import facts_problems

        # The partner API checks its `facts` object against triage's fact schema.
        facts_checker.fill(facts_problems)
