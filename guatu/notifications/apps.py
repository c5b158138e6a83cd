from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "guatu.notifications"
    label = "notifications"
