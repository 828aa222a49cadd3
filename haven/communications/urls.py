from django.urls import path

from . import views, views_staff

app_name = "communications"
urlpatterns = [
    path("templates/", views.template_list, name="template_list"),
    path("templates/<str:purpose>/<str:language>/", views.template_edit, name="template_edit"),
    path("messages/", views_staff.staff_list, name="message_list"),
    path("notices/", views.notice_list, name="notice_list"),
    path("notices/new/", views.notice_new, name="notice_new"),
    path("notices/<int:notice_id>/", views.notice_detail, name="notice_detail"),
    path("cases/<int:case_id>/documents/", views.documents_request, name="documents_request"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("webhooks/sms/status/", views.sms_status_webhook, name="sms_status_webhook"),
    path("webhooks/sms/inbound/", views.sms_inbound_webhook, name="sms_inbound_webhook"),
]
