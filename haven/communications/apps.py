from django.apps import AppConfig


class CommunicationsConfig(AppConfig):
    name = "haven.communications"
    label = "communications"
    verbose_name = "Communications"

    def ready(self) -> None:
        from haven.cases.models import Case
        from haven.cases.signals import public_status_changed, public_status_changed_many
        from haven.common import periodic
        from haven.intake.models import Request
        from haven.intake.signals import requests_received

        from .outbox import periodic_outbox
        from .receivers import (
            on_public_status_changed,
            on_public_status_changed_many,
            on_requests_received,
        )

        public_status_changed.connect(
            on_public_status_changed, sender=Case, dispatch_uid="communications.status"
        )
        public_status_changed_many.connect(
            on_public_status_changed_many, sender=Case, dispatch_uid="communications.status_many"
        )
        requests_received.connect(
            on_requests_received, sender=Request, dispatch_uid="communications.receipt"
        )
        periodic.register(name="outbox", run=periodic_outbox)

        from haven.cases.panels import case_panel_providers

        from .panels import messages_panel

        case_panel_providers.register("communications", messages_panel)

        from haven.intake.importing.mailimport import mail_reply_handlers

        from .inbound import mail_reply

        # A reply to one of our messages is kept on its request, not stored as a new one.
        mail_reply_handlers.register("communications.reply", mail_reply)
