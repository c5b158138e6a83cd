from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand

from guatu.jobs.services import jobs_clean


class Command(BaseCommand):
    help = (
        "Remove background jobs finished more than --days ago, with their files; fail jobs left unfinished."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=settings.GUATU_JOBS_KEEP_DAYS,
            choices=range(0, 366),
            metavar="DAYS",
            help="keep files this many days (default GUATU_JOBS_KEEP_DAYS)",
        )

    def handle(self, *, days: int, **options):
        removed = jobs_clean(older_than=timedelta(days=days))
        self.stdout.write(f"{removed} old jobs removed")
