from django.urls import path

from guatu.reserve import views

app_name = "reserve"

urlpatterns = [
    path("", views.depth, name="depth"),
    path("rules/", views.rules, name="rules"),
    path("rules/<str:tier>/<str:category>/", views.rule_edit, name="rule_edit"),
    path("gates/<str:tier>/", views.gate_edit, name="gate_edit"),
    path("projects/<int:pk>/tier/", views.project_tier, name="tier"),
    path("projects/<int:project_pk>/applications/new/", views.application_new, name="application_new"),
    path("applications/", views.application_list, name="applications"),
    path("applications/<int:pk>/", views.application_detail, name="application"),
    path("applications/<int:pk>/edit/", views.application_edit, name="application_edit"),
    path("applications/<int:pk>/<str:step>/", views.application_step, name="application_step"),
]
