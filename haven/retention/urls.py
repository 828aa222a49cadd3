from django.urls import path

from . import views

app_name = "retention"
urlpatterns = [
    path("cases/<int:case_id>/hold/", views.hold_set, name="hold_set"),
    path("cases/<int:case_id>/hold/release/", views.hold_release, name="hold_release"),
]
