from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "guatu.accounts"
    label = "accounts"

    def ready(self):
        from guatu.accounts import receivers  # noqa: F401 - connects the sign-in receivers
