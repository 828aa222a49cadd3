from django.urls import path

from . import merge_views, views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("<int:case_id>/", views.case_detail, name="detail"),
    path("<int:case_id>/notes/", views.note_add, name="note_add"),
    path("<int:case_id>/status/", views.status_change, name="status_change"),
    path("<int:case_id>/merge/", merge_views.case_merge, name="merge"),
    path("merges/<int:merge_id>/undo/", merge_views.case_merge_undo, name="merge_undo"),
]
