from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "haven.retention"
    label = "retention"
    verbose_name = "Retention: erasing what is no longer needed"

    def ready(self) -> None:
        from haven.common import periodic

        from .services import retention_job

        periodic.register(name="retention", run=retention_job)

        from haven.cases.panels import case_panel_providers

        from .panels import legal_hold_panel

        case_panel_providers.register("retention", legal_hold_panel)
