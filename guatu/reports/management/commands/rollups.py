from django.core.management.base import BaseCommand, CommandError

from guatu.reports import rollups


class Command(BaseCommand):
    help = (
        "The approved-totals roll-up: --verify compares every row with a recomputation from the reports (exit 1 "
        "naming each difference); --rebuild recomputes it all."
    )

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--verify", action="store_true", help="compare the roll-up with the reports")
        group.add_argument("--rebuild", action="store_true", help="recompute the roll-up from the reports")

    def handle(self, *args, verify, rebuild, **options):
        if rebuild:
            written = rollups.rebuild_rollups()
            self.stdout.write(f"roll-up rebuilt: {written} project-years")
            return
        found = rollups.differences()
        if found:
            raise CommandError(f"{len(found)} roll-up rows differ from the reports:\n" + "\n".join(found[:50]))
        self.stdout.write("roll-up exact: every project-year equals its reports")
