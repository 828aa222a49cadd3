from django.urls import path

from . import views, views_records

app_name = "resolution"
urlpatterns = [
    path("review/", views.review_queue, name="review_queue"),
    path("review/<int:item_id>/", views.review_item, name="review_item"),
    path("people/<int:person_id>/", views.person_detail, name="person_detail"),
    path("records/<int:record_id>/edit/", views_records.record_edit, name="record_edit"),
    path("people/<int:person_id>/merge/", views.person_merge, name="person_merge"),
    path("merges/<int:merge_id>/unmerge/", views.person_unmerge, name="person_unmerge"),
]
