from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "guatu.orgs"
    label = "orgs"
