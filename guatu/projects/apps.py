from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "guatu.projects"
    label = "projects"
