from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "guatu.assessment"
    label = "assessment"
