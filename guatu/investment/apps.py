from django.apps import AppConfig


class InvestmentConfig(AppConfig):
    name = "guatu.investment"
    label = "investment"
