"""Mounted by the site's urlconf at intake/import/."""

from django.urls import path

from . import views, views_mail

app_name = "importing"
urlpatterns = [
    path("", views.import_list, name="list"),
    path("upload/", views.upload, name="upload"),
    path("mail/", views_mail.mail_list, name="mail"),
    path("mail/upload/", views_mail.mail_upload, name="mail_upload"),
    path("mail/<int:pk>/", views_mail.mail_detail, name="mail_detail"),
    path("mail/<int:pk>/start/", views_mail.mail_import_start, name="mail_start"),
    path("mail/<int:pk>/progress/", views_mail.mail_progress, name="mail_progress"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/preview/", views.preview_start, name="preview"),
    path("<int:pk>/start/", views.import_start, name="start"),
    path("<int:pk>/values/", views.fact_values_save, name="fact_values"),
    path("<int:pk>/progress/", views.progress, name="progress"),
    path("<int:pk>/rejected.csv", views.error_report, name="errors"),
    path("requests/<str:receipt_number>/original/", views.original, name="original"),
    path(
        "requests/<str:receipt_number>/original/download/",
        views.original_download,
        name="original_download",
    ),
]
