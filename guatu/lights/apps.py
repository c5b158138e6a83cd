from django.apps import AppConfig


class LightsConfig(AppConfig):
    name = "guatu.lights"
    label = "lights"
