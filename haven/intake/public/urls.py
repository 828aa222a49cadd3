from django.urls import path

from . import views

app_name = "public"
urlpatterns = [
    path("apply/", views.apply, name="apply"),
    path("apply/receipt/", views.receipt, name="receipt"),
    path("status/", views.status, name="status"),
]
