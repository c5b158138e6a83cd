from django.apps import AppConfig


class EnterprisesConfig(AppConfig):
    name = "guatu.enterprises"
    label = "enterprises"
