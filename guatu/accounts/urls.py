from django.urls import path

from guatu.accounts import views

app_name = "accounts"
urlpatterns = [
    path("password/", views.password_change, name="password_change"),
    path("two-factor/", views.two_factor_verify, name="two_factor_verify"),
    path("two-factor/setup/", views.two_factor_enrol, name="two_factor_enrol"),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_new, name="user_new"),
    path("users/<int:pk>/", views.user_edit, name="user"),
    path("users/<int:pk>/disable/", views.user_disable, name="user_disable"),
    path("users/<int:pk>/enable/", views.user_enable, name="user_enable"),
    path("users/<int:pk>/password/", views.user_password_reset, name="user_password_reset"),
    path("security/", views.security, name="security"),
    path("security/users/<int:pk>/", views.security_user, name="security_user"),
    path("security/users/<int:pk>/unlock/", views.security_unlock, name="security_unlock"),
    path(
        "security/users/<int:pk>/two-factor/reset/",
        views.security_two_factor_reset,
        name="security_two_factor_reset",
    ),
]
