from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "haven.retention"
    label = "retention"
    verbose_name = "Retention: erasing what is no longer needed"

    def ready(self) -> None:
        from haven.common import periodic

        from .services import retention_job

        periodic.register(name="retention", run=retention_job)
