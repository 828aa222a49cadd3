from django.urls import path

from . import views

app_name = "intake"
urlpatterns = [
    path("walk-in/", views.walk_in, name="walk_in"),
    path("receipts/<str:receipt_number>/", views.receipt, name="receipt"),
    path("receipts/<str:receipt_number>/secret/", views.secret_reissue, name="secret_reissue"),
]
