from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from guatu.demo.synth import SYNTH_PASSWORD, SynthError, build_province


class Command(BaseCommand):
    help = (
        "Build a synthetic province in bulk for benchmarks and load tests (guatu/demo/synth.py): counties with "
        "townships, departments and leaders, projects with plans, a monthly report for every project and month, "
        "problems, assessment schemes and values, and five persona users. Only into an empty database."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--counties", type=int, default=122, help="counties (default 122, spread over 14 prefectures)"
        )
        parser.add_argument(
            "--projects-per-county", type=int, default=200, help="projects of each county (default 200)"
        )
        parser.add_argument(
            "--years",
            type=int,
            default=5,
            help="years of monthly reports, ending with --end-year (default 5)",
        )
        parser.add_argument(
            "--seed", type=int, default=1, help="the same seed builds the same province (default 1)"
        )
        parser.add_argument(
            "--end-year",
            type=int,
            default=2026,
            help="the last year reported: up to this month in the current year, to December in a past one (default 2026)",
        )

        parser.add_argument(
            "--force",
            action="store_true",
            help="build even when DEBUG is off (its persona users share one published password)",
        )

    def handle(self, *args, counties, projects_per_county, years, seed, end_year, force, **options):
        if not (settings.DEBUG or force):
            raise CommandError(
                _(
                    "DEBUG is off, so this looks like a production server, and the synthetic province's users "
                    "share one published password. Run with --force to build it all the same (a benchmark "
                    "database)."
                )
            )
        try:
            result = build_province(
                counties=counties,
                projects_per_county=projects_per_county,
                years=years,
                seed=seed,
                end_year=end_year,
                progress=self.stdout.write,
            )
        except SynthError as exc:
            raise CommandError(str(exc)) from None
        rows = result.units + result.leaders + result.users + result.projects + result.plans + result.reports
        rows += result.problems + result.indicators + result.schemes + result.values
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Built the synthetic province in %(seconds).1f s: %(projects)d projects, %(reports)d monthly "
                    "reports (%(first)s to %(last)s), %(rows)d rows in all (%(rate).0f a second)."
                )
                % {
                    "seconds": result.seconds,
                    "projects": result.projects,
                    "reports": result.reports,
                    "first": result.first_period,
                    "last": result.last_period,
                    "rows": rows,
                    "rate": rows / result.seconds if result.seconds else 0,
                }
            )
        )
        self.stdout.write(
            _("Persona logins (one password for all: %(password)s):") % {"password": SYNTH_PASSWORD}
        )
        for label, username in (
            (_("province reviewer"), result.province_reviewer),
            (_("prefecture reviewer"), result.prefecture_reviewer),
            (_("county reviewer"), result.county_reviewer),
            (_("county leader"), result.county_leader),
            (_("township reporter"), result.township_reporter),
        ):
            self.stdout.write(f"  {username:<18} {label}")
