from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Operating the installation: `guatu backup` and `guatu restore` (docs/backup.md), the data version's
    triggers kept on every table (guatu.lib.data_version), and the process's cycle collector tuned
    (guatu.lib.collector). No models of its own."""

    name = "guatu.ops"
    label = "ops"

    def ready(self):
        from django.conf import settings
        from django.db.models.signals import post_migrate

        from guatu.lib import collector

        post_migrate.connect(_watch_every_table, sender=self)
        collector.tune(settings.GC_THRESHOLD)


def _watch_every_table(sender, using, **kwargs):
    """After every migrate: the data version's triggers on every table, the new ones included (guatu.lib.data_version)."""
    from django.db import connections

    from guatu.lib import data_version

    data_version.install(connections[using])
