from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttractionConfig(AppConfig):
    name = "guatu.attraction"
    label = "attraction"
    verbose_name = _("Investment attraction")
