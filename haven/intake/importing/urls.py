"""Mounted by the site's urlconf at intake/import/."""

from django.urls import path

from . import views

app_name = "importing"
urlpatterns = [
    path("", views.import_list, name="list"),
    path("upload/", views.upload, name="upload"),
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
