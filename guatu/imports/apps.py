from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "guatu.imports"
    label = "imports"
