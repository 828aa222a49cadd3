from django.apps import AppConfig


class CommunicationsConfig(AppConfig):
    name = "haven.communications"
    label = "communications"
    verbose_name = "Communications"

    def ready(self) -> None:
        from haven.cases.models import Case
        from haven.cases.signals import public_status_changed
        from haven.common import periodic

        from .outbox import periodic_outbox
        from .receivers import on_public_status_changed

        public_status_changed.connect(
            on_public_status_changed, sender=Case, dispatch_uid="communications.status"
        )
        periodic.register(name="outbox", run=periodic_outbox)
