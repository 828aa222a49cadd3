from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "haven.reports"
    label = "reports"

    def ready(self) -> None:
        from haven.common import periodic

        from . import providers, providers_partners
        from .exports.services import exports_expire
        from .summary import summaries_periodic

        providers.register_builtin()
        providers_partners.register_partner_figures()
        periodic.register(name="reports.summaries", run=summaries_periodic)
        periodic.register(name="reports.exports_expire", run=exports_expire)
