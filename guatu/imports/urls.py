from django.urls import path

from guatu.imports import views

app_name = "imports"
urlpatterns = [
    path("projects/", views.projects_upload, name="projects"),
    path("projects/confirm/", views.projects_confirm, name="projects_confirm"),
]
