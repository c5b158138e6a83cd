from django.apps import AppConfig


class BattlemapConfig(AppConfig):
    name = "guatu.battlemap"
    label = "battlemap"
