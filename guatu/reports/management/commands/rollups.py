from django.core.management.base import BaseCommand, CommandError

from guatu.projects import phasing
from guatu.reports import rollups


class Command(BaseCommand):
    help = (
        "The roll-ups the sums read: the approved totals (from the reports) and the phased plans' columns (from "
        "their months). --verify compares every row with a recomputation (exit 1 naming each difference); "
        "--rebuild recomputes them all."
    )

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument(
            "--verify", action="store_true", help="compare the roll-ups with the reports and months"
        )
        group.add_argument(
            "--rebuild", action="store_true", help="recompute the roll-ups from the reports and months"
        )

    def handle(self, *args, verify, rebuild, **options):
        if rebuild:
            written = rollups.rebuild_rollups()
            plans = phasing.refresh_phasing()
            self.stdout.write(f"roll-up rebuilt: {written} project-years; phased columns of {plans} plans")
            return
        found = rollups.differences() + phasing.differences()
        if found:
            raise CommandError(
                f"{len(found)} roll-up rows differ from the reports or the months:\n" + "\n".join(found[:50])
            )
        self.stdout.write("roll-up exact: every project-year equals its reports, every plan its months")
