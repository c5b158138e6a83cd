from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Operating the installation: `guatu backup` and `guatu restore` (docs/backup.md). No tables of its own."""

    name = "guatu.ops"
    label = "ops"
