from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReserveConfig(AppConfig):
    name = "guatu.reserve"
    verbose_name = _("Project reserve")
