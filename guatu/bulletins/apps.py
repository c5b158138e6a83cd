from django.apps import AppConfig


class BulletinsConfig(AppConfig):
    name = "guatu.bulletins"
    label = "bulletins"
