from django.apps import AppConfig


class HavenConfig(AppConfig):
    """The top of the app order: it composes the others (flow.py) and owns nothing."""

    name = "haven.config"
    label = "config"
    verbose_name = "Haven"

    def ready(self) -> None:
        from haven.intake.services import intake_flow

        from .flow import intake_flow_run

        # Stored requests go on through matching, cases, triage and public status.
        intake_flow.fill(intake_flow_run)

        from haven.cases.data_entry import entered_flow

        from .flow import entered_request_flow_run

        # A request completed by data entry goes through the same steps, in its own case.
        entered_flow.fill(entered_request_flow_run)
