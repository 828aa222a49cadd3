from django.apps import AppConfig

_ATTACHED = False


class ReferralsConfig(AppConfig):
    name = "haven.referrals"
    label = "referrals"

    def ready(self) -> None:
        global _ATTACHED
        from haven.common import periodic
        from haven.intake.api.views import api

        from .api import router
        from .approvals import register as approvals_register
        from .services import referrals_overdue_flag

        periodic.register(name="referrals.overdue", run=referrals_overdue_flag)
        from haven.cases.panels import case_panel_providers

        from .panels import referrals_panel

        case_panel_providers.register("referrals", referrals_panel)
        approvals_register()  # large bulk referrals may need a second approver
        _case_list_filters()
        # The partner API is one API: referrals' routes join the intake router's (before the
        # URLconf reads its URLs), so tokens, errors, rate limits and the schema are shared.
        if not _ATTACHED:
            api.add_router("/referrals", router)
            _ATTACHED = True


def _case_list_filters() -> None:
    """The case list's "has an open referral" filter: cases cannot import referrals."""
    from django.db.models import Q
    from django.utils.translation import gettext_lazy as _

    from haven.cases import registry

    from .models import OPEN_STATUSES, Referral

    registry.register_condition(
        name="open_referral",
        label=_("Has an open referral"),
        build=lambda: Q(id__in=Referral.objects.filter(status__in=OPEN_STATUSES).values("case_id")),
    )
