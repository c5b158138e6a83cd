from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "guatu.reports"
    label = "reports"
