from django.urls import path

from . import (
    merge_views,
    views,
    views_assignment,
    views_data_entry,
    views_documents,
    views_members,
    views_tasks,
)

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("mine/", views_assignment.my_cases, name="mine"),
    path("take-next/", views_assignment.take_next, name="take_next"),
    path("assign/", views_assignment.cases_assign_many, name="assign_many"),
    path("caseloads/", views_assignment.caseloads, name="caseloads"),
    path("saved/", views_assignment.saved_search_create, name="saved_search_create"),
    path(
        "saved/<int:pk>/delete/",
        views_assignment.saved_search_delete,
        name="saved_search_delete",
    ),
    path("data-entry/", views_data_entry.queue, name="data_entry"),
    path("data-entry/<int:request_id>/", views_data_entry.complete, name="data_entry_complete"),
    path("alerts/", views_tasks.alerts, name="alerts"),
    path("alerts/read/", views_tasks.alerts_read, name="alerts_read"),
    path("alerts/preference/", views_tasks.alert_preference, name="alert_preference"),
    path("<int:case_id>/", views.case_detail, name="detail"),
    path("<int:case_id>/tasks/", views_tasks.task_add, name="task_add"),
    path("<int:case_id>/tasks/<int:task_id>/close/", views_tasks.task_close, name="task_close"),
    path("<int:case_id>/assign/", views_assignment.case_assign, name="assign"),
    path("<int:case_id>/notes/", views.note_add, name="note_add"),
    path("<int:case_id>/status/", views.status_change, name="status_change"),
    path("<int:case_id>/household/", views_members.household_change, name="household"),
    path("<int:case_id>/merge/", merge_views.case_merge, name="merge"),
    path("merges/<int:merge_id>/undo/", merge_views.case_merge_undo, name="merge_undo"),
    path("<int:case_id>/documents/", views_documents.document_upload, name="document_upload"),
    path(
        "documents/<int:document_id>/download/",
        views_documents.document_download,
        name="document_download",
    ),
    path("documents/quarantine/", views_documents.quarantine, name="documents_quarantine"),
]
