from django.apps import AppConfig


class DispatchConfig(AppConfig):
    name = "guatu.dispatch"
    label = "dispatch"
