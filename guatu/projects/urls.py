from django.urls import path

from guatu.projects.views import library

app_name = "projects"
urlpatterns = [
    path("", library.project_list, name="list"),
    path("export.xlsx", library.project_export, name="export"),
    path("<int:pk>/", library.project_detail, name="detail"),
]
