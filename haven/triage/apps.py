from django.apps import AppConfig


class TriageConfig(AppConfig):
    name = "haven.triage"
    label = "triage"

    def ready(self) -> None:
        from .approvals import register

        register()  # guidance activation may need a second approver (HAVEN_SECOND_APPROVER_FOR)

        from haven.cases import registry

        from .pathways import PATHWAYS
        from .selectors import pathway_targets

        # The case list shows ageing against the active guidance's targets, and filters by
        # pathway and by "over target": cases cannot import triage, so triage tells it.
        registry.register_pathway_targets(pathway_targets)
        registry.register_pathway_choices(lambda: [(k, str(v)) for k, v in PATHWAYS.items()])
