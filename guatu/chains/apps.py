from django.apps import AppConfig


class ChainsConfig(AppConfig):
    name = "guatu.chains"
    label = "chains"
