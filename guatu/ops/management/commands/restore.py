"""`guatu restore FILE`: a backup into an empty database, then every table checked against the backup's manifest."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from guatu.ops.archive import BackupError
from guatu.ops.services import RestoreResult, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by guatu backup into the configured database, which must be empty; then "
        "recompute every table's row count and checksum and compare them with the backup (docs/backup.md)."
    )

    # No system checks: a warning about some setting must not stand between an operator and the data.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("file", help="the backup file")

    def handle(self, *, file: str, **options):
        started = time.perf_counter()
        try:
            result = backup_restore(path=Path(file))
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.table(result))
        if not result.recorded:
            self.stderr.write(_("The restore-test record could not be written to the audit log."))
        if not result.ok:
            raise CommandError(
                _("The restored database differs from the backup in %(count)s tables: %(tables)s")
                % {"count": len(result.mismatched), "tables": ", ".join(result.mismatched)}
            )
        self.stdout.write(
            _(
                "Restored %(file)s (made %(made)s): %(tables)s tables, %(rows)s rows, every count and checksum "
                "as in the backup (%(seconds).1f s). Restore-test record written to the audit log."
            )
            % {
                "file": result.file,
                "made": result.created_at,
                "tables": len(result.checks),
                "rows": result.rows,
                "seconds": time.perf_counter() - started,
            }
        )

    @staticmethod
    def table(result: RestoreResult) -> str:
        headers = (_("Table"), _("Rows in backup"), _("Rows restored"), _("Check"))
        rows = [
            (
                check.table,
                "-" if check.backup_rows is None else str(check.backup_rows),
                "-" if check.restored_rows is None else str(check.restored_rows),
                _("same") if check.ok else _("DIFFERENT"),
            )
            for check in result.checks
        ]
        width = max(len(row[0]) for row in rows) if rows else 10
        lines = [f"{headers[0]:<{width}}  {headers[1]:>10}  {headers[2]:>10}  {headers[3]}"]
        lines += [
            f"{name:<{width}}  {backup:>10}  {restored:>10}  {status}"
            for name, backup, restored, status in rows
        ]
        return "\n".join(lines)
