from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "haven.cases"
    label = "cases"

    def ready(self) -> None:
        from .approvals import register

        register()  # merging may need a second approver (HAVEN_SECOND_APPROVER_FOR)
