from django.urls import path

from . import views

app_name = "triage"

urlpatterns = [
    path("cases/<int:case_id>/", views.case_triage, name="case"),
    path(
        "cases/<int:case_id>/new-information/<int:pk>/",
        views.fact_review_decide,
        name="fact_review",
    ),
    path("queues/", views.queue_list, name="queues"),
    path("queues/<str:pathway>/", views.queue_detail, name="queue"),
    path("guidance/", views.guidance_list, name="guidance_list"),
    path("guidance/<int:pk>/", views.guidance_detail, name="guidance_detail"),
    path("guidance/<int:pk>/preview.csv", views.guidance_preview_csv, name="guidance_preview_csv"),
    path("guidance/<int:pk>/activate/", views.guidance_activate, name="guidance_activate"),
    path("runs/<int:pk>/progress/", views.run_progress, name="run_progress"),
]
