from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "guatu.demo"
    label = "demo"
