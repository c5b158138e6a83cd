"""`guatu backup --output FILE`: a consistent copy of the whole database, taken while the site runs."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from guatu.ops.archive import BackupError
from guatu.ops.services import backup_create


class Command(BaseCommand):
    help = (
        "Write a consistent backup of the database (SQLite or PostgreSQL) to a new file, with a manifest of "
        "every table's row count and checksum (docs/backup.md)."
    )

    # No system checks: a warning about some setting must not stand between an operator and the data.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", required=True, metavar="FILE", help="the backup file to write (a new file)"
        )

    def handle(self, *, output: str, **options):
        started = time.perf_counter()
        try:
            result = backup_create(output=Path(output).absolute())
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            _("Backup written: %(path)s (%(size)s, %(tables)s tables, %(rows)s rows, %(seconds).1f s)")
            % {
                "path": result.path,
                "size": filesizeformat(result.size),
                "tables": result.tables,
                "rows": result.rows,
                "seconds": time.perf_counter() - started,
            }
        )
        self.stdout.write(f"SHA-256 {result.sha256}")
        if result.migrations_pending:
            self.stderr.write(
                _(
                    "Note: the database has not had every migration of this version applied (run guatu migrate); "
                    "the backup restores with the version whose migrations it has."
                )
            )
