from django.urls import path

from guatu.projects import views

app_name = "projects"
urlpatterns = [
    path("", views.project_list, name="list"),
    path("export.xlsx", views.project_export, name="export"),
    path("<int:pk>/", views.project_detail, name="detail"),
]
