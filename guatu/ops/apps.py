from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Operating the installation: `guatu backup` and `guatu restore` (docs/backup.md), and the data version's
    triggers kept on every table (guatu.lib.data_version). No models of its own."""

    name = "guatu.ops"
    label = "ops"

    def ready(self):
        from django.db.models.signals import post_migrate

        post_migrate.connect(_watch_every_table, sender=self)


def _watch_every_table(sender, using, **kwargs):
    """After every migrate: the data version's triggers on every table, the new ones included (guatu.lib.data_version)."""
    from django.db import connections

    from guatu.lib import data_version

    data_version.install(connections[using])
