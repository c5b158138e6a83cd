from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "guatu.web"
    label = "web"
