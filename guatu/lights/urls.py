from django.urls import path

from guatu.lights import exports, views

app_name = "lights"
urlpatterns = [
    path("", views.board, name="board"),
    path("export.xlsx", exports.board_export, name="board_export"),
    path("compute/", views.compute, name="compute"),
    path("rules/", views.rules, name="rules"),
    path("rules/edit/", views.rules_edit, name="rules_edit"),
    path("rules/default-month/", views.default_period_edit, name="default_period_edit"),
    path("rules/upload/", views.rules_upload, name="rules_upload"),
    path("rules/lights-rules.yaml", views.rules_yaml, name="rules_yaml"),
]
