from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("tokens/", views.token_list, name="tokens"),
    path("tokens/revoke/", views.token_revoke, name="token-revoke"),
    path("password_reset/", views.PasswordResetView.as_view(), name="password_reset"),
]
