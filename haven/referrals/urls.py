from django.urls import path

from . import views, views_agreements, views_partner, views_shared, views_staff

app_name = "referrals"
urlpatterns = [
    path("cases/<int:case_id>/new/", views.referral_new, name="new"),
    path("cases/<int:case_id>/consent/", views.consent_new, name="consent_new"),
    path(
        "cases/<int:case_id>/consent/<int:consent_id>/withdraw/",
        views.consent_withdraw,
        name="consent_withdraw",
    ),
    path("bulk/", views.bulk_referral, name="bulk"),
    path("directory/", views.directory, name="directory"),
    path("agreements/", views_agreements.agreements, name="agreements"),
    path(
        "agreements/<int:organization_id>/",
        views_agreements.agreement_edit,
        name="agreement_edit",
    ),
    path("list/", views_staff.staff_list, name="staff_list"),
    path("<int:referral_id>/", views.referral_detail, name="detail"),
    path("<int:referral_id>/withdraw/", views.referral_withdraw, name="withdraw"),
    path("<int:referral_id>/messages/", views.referral_message, name="message"),
    path("partner/", views_partner.workspace, name="workspace"),
    path("partner/<int:referral_id>/", views_partner.workspace_detail, name="workspace_detail"),
    path(
        "partner/<int:referral_id>/status/", views_partner.workspace_status, name="workspace_status"
    ),
    path(
        "partner/<int:referral_id>/messages/",
        views_partner.workspace_message,
        name="workspace_message",
    ),
    # Signed tokens contain ":" so they are matched as a path segment of any characters.
    path("shared/<str:token>/", views_shared.shared, name="shared"),
    path("shared/<str:token>/status/", views_shared.shared_status, name="shared_status"),
    path("shared/<str:token>/download/", views_shared.shared_download, name="shared_download"),
]
