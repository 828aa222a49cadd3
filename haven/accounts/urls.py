from django.urls import path

from . import views, views_two_factor

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("two-factor/", views_two_factor.verify, name="two_factor_verify"),
    path("two-factor/enrol/", views_two_factor.enrol, name="two_factor_enrol"),
    path(
        "two-factor/recovery-codes/",
        views_two_factor.recovery_codes,
        name="two_factor_recovery_codes",
    ),
]
