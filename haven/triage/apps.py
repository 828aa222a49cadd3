from django.apps import AppConfig


class TriageConfig(AppConfig):
    name = "haven.triage"
    label = "triage"

    def ready(self) -> None:
        from haven.intake.eligibility import register_needed_facts

        from .approvals import register
        from .selectors import facts_the_active_guidance_reads

        register()  # guidance activation may need a second approver (HAVEN_SECOND_APPROVER_FOR)
        # The public and walk-in forms ask only what the active guidance reads.
        register_needed_facts(facts_the_active_guidance_reads)
