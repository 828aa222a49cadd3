from django.apps import AppConfig


class TriageConfig(AppConfig):
    name = "haven.triage"
    label = "triage"

    def ready(self) -> None:
        from .approvals import register

        register()  # guidance activation may need a second approver (HAVEN_SECOND_APPROVER_FOR)
