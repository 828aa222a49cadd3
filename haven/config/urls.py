from django.urls import include, path

from haven.common.views import healthz, home

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("haven.accounts.urls")),
    path("intake/import/", include("haven.intake.importing.urls")),
    path("intake/", include("haven.intake.urls")),
    path("cases/", include("haven.cases.urls")),
    path("resolution/", include("haven.resolution.urls")),
    path("triage/", include("haven.triage.urls")),
    path("referrals/", include("haven.referrals.urls")),
    path("audit/", include("haven.accounts.urls_audit")),
    path("communications/", include("haven.communications.urls")),
    path("reports/", include("haven.reports.urls")),
    path("retention/", include("haven.retention.urls")),
    path("api/", include("haven.intake.api.urls")),
    # The public pages: the application form and the status look-up, no log-in.
    path("", include("haven.intake.public.urls")),
]
