from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("<int:case_id>/", views.case_detail, name="detail"),
    path("<int:case_id>/notes/", views.note_add, name="note_add"),
    path("<int:case_id>/status/", views.status_change, name="status_change"),
    path("<int:case_id>/merge/", views.case_merge, name="merge"),
]
