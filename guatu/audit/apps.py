from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "guatu.audit"
    label = "audit"
