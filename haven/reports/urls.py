from django.urls import path

from . import views
from .exports import views as export_views

app_name = "reports"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("charts/<str:provider>/<str:table>/", views.chart, name="chart"),
    path("sitrep/", views.sitrep, name="sitrep"),
    path("sitrep/<int:job_id>/", views.sitrep_job, name="sitrep_job"),
    path("sitrep/<int:job_id>/download/", views.sitrep_download, name="sitrep_download"),
    path("hxl/", views.hxl, name="hxl"),
    path("exports/", export_views.export_list, name="export_list"),
    path("exports/new/", export_views.export_new, name="export_new"),
    path("exports/<int:export_id>/", export_views.export_detail, name="export_detail"),
    path("exports/<int:export_id>/approve/", export_views.export_approve, name="export_approve"),
    path("exports/<int:export_id>/refuse/", export_views.export_refuse, name="export_refuse"),
    path("exports/<int:export_id>/file/", export_views.export_file_create, name="export_file"),
    path("exports/<int:export_id>/download/", export_views.export_download, name="export_download"),
]
