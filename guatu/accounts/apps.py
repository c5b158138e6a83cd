from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "guatu.accounts"
    label = "accounts"
